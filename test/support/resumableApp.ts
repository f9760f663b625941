/**
 * A FastAPI app in `{root}/app` with resumable routes as `add-endpoint --resumable` writes them, each streaming a
 * user function of `app/tokens.py`, and the on_finish hook add-endpoint writes beside each route filled in as a
 * user would: `await save_to_log(result)` (a function of `app/tokens.py`).
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { addEndpoint } from '../../src/cli/commands/addEndpoint';
import type { StreamProtocol } from '../../src/protocol/stream';
import { makeTempDir } from './tempdir';

export interface ResumableApp {
  /** `app/main.py` before the routes are added. */
  readonly main: string;
  /** `app/tokens.py`: the token source `source` and `async def save_to_log(result: FinishResult)`. */
  readonly tokens: string;
  readonly source: string;
  readonly routes: ReadonlyArray<{ readonly protocol: StreamProtocol; readonly route: string }>;
}

/** Writes the app into a new temporary folder; its path (serve `app.main:app` from there). */
export async function makeResumableApp(name: string, app: ResumableApp): Promise<string> {
  const root = await makeTempDir(name);
  const dir = path.join(root, 'app');
  await mkdir(dir);
  await writeFile(path.join(dir, '__init__.py'), '');
  await writeFile(path.join(dir, 'main.py'), app.main);
  await writeFile(path.join(dir, 'tokens.py'), app.tokens);
  for (const { protocol, route } of app.routes) {
    const outcome = await addEndpoint(root, {
      target: { file: 'app/main.py', id: 'app' },
      protocol,
      route,
      source: { kind: 'function', name: app.source },
      resumable: true,
    });
    assert.equal(outcome.status, 'applied', JSON.stringify(outcome));
  }
  // What a user does to save answers: fill in the on_finish hook add-endpoint wrote beside each route.
  const main = path.join(dir, 'main.py');
  const text = await readFile(main, 'utf8');
  const example = '    # await db.save(result.text, result.usage.output_tokens)\n';
  assert.equal(text.split(example).length - 1, app.routes.length, text);
  await writeFile(main, `from .tokens import save_to_log\n${text.replaceAll(example, '    await save_to_log(result)\n')}`);
  return root;
}
