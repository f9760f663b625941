/**
 * A user's FastAPI app with resumable routes added by the real `add-endpoint --resumable`, for the tests and
 * benches that run them on workers and Redis: `app/` with the given modules, one route per entry, and (with
 * `saveToLog`) the on_finish hook add-endpoint writes beside each route filled in as a user would, to append
 * each finished answer to the file FINISH_LOG names as a JSON line {"pid", "reason", "text"}.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { addEndpoint } from '../../src/cli/commands/addEndpoint';
import { makeTempDir } from './tempdir';

/** A token source module: `provider_tokens(prompt)`, the text of a Chat Completions stream from PROVIDER_URL. */
export const PROVIDER_TOKENS_PY = `import json
import os
from collections.abc import AsyncIterator

import httpx


async def provider_tokens(prompt: str) -> AsyncIterator[str]:
    """The text of a Chat Completions stream from the provider at PROVIDER_URL."""
    request = {"model": "m", "stream": True, "messages": [{"role": "user", "content": prompt}]}
    async with httpx.AsyncClient(base_url=os.environ["PROVIDER_URL"], timeout=30) as client:
        async with client.stream("POST", "/v1/chat/completions", json=request) as response:
            async for line in response.aiter_lines():
                payload = line[6:].strip() if line.startswith("data: ") else ""
                if payload and payload != "[DONE]":
                    choices = json.loads(payload)["choices"]
                    if choices and choices[0]["delta"].get("content"):
                        yield choices[0]["delta"]["content"]
`;

// The user's on_finish body: each finished answer as a JSON line.
const FINISH_LOG_PY = `import json
import os

from .streaming.finish import FinishResult


async def save_to_log(result: FinishResult) -> None:
    line = {"pid": os.getpid(), "reason": result.finish_reason, "text": result.text}
    with open(os.environ["FINISH_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(line) + "\\n")
`;

export interface ResumableAppOptions {
  /** The temp folder's name. */
  readonly name: string;
  /** app/main.py before the routes (it defines `app`). */
  readonly main: string;
  /** Other modules of app/, by file name (the token source among them). */
  readonly modules: Readonly<Record<string, string>>;
  readonly routes: ReadonlyArray<{ readonly protocol: 'sse' | 'ai-sdk' | 'openai'; readonly route: string }>;
  /** The token source function's name. */
  readonly source: string;
  /** Fill in each route's on_finish hook with save_to_log (FINISH_LOG). */
  readonly saveToLog: boolean;
}

/** Writes the app and adds the routes with the real add-endpoint; resolves with the project root. */
export async function makeResumableApp(options: ResumableAppOptions): Promise<string> {
  const root = await makeTempDir(options.name);
  const app = path.join(root, 'app');
  await mkdir(app);
  const modules = { '__init__.py': '', 'main.py': options.main, ...options.modules, ...(options.saveToLog && { 'finish_log.py': FINISH_LOG_PY }) };
  for (const [file, text] of Object.entries(modules)) await writeFile(path.join(app, file), text);
  for (const { protocol, route } of options.routes) {
    const outcome = await addEndpoint(root, {
      target: { file: 'app/main.py', id: 'app' },
      protocol,
      route,
      source: { kind: 'function', name: options.source },
      resumable: true,
    });
    assert.equal(outcome.status, 'applied', JSON.stringify(outcome));
  }
  if (options.saveToLog) {
    // What a user does to save answers: fill in the on_finish hook add-endpoint wrote beside each route.
    const main = path.join(app, 'main.py');
    const text = await readFile(main, 'utf8');
    const example = '    # await db.save(result.text, result.usage.output_tokens)\n';
    assert.equal(text.split(example).length - 1, options.routes.length, text);
    await writeFile(main, `from .finish_log import save_to_log\n${text.replaceAll(example, '    await save_to_log(result)\n')}`);
  }
  return root;
}
