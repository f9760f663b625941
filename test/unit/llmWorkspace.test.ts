/**
 * Detection across a workspace (src/core/python/llm/workspaceDetection.ts): every detection and every false
 * positive is a row, over realistic layouts in test/fixtures/llm/workspace/<layout>/. A row lists every
 * finding the layout must produce (file:line code) and words its message must carry; anything else found
 * fails the row.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkspaceDetection } from '../../src/core/python/llm/workspaceDetection';
import { isVersionSource, packageVersion } from '../../src/core/python/projectVersions';
import { PythonWorkspace } from '../../src/core/python/workspace';

const FIXTURES = path.join(__dirname, '../fixtures/llm/workspace');

async function readLayout(layout: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (folder: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        await walk(path.join(folder, entry.name), relative);
      } else {
        files.set(relative, await readFile(path.join(folder, entry.name), 'utf8'));
      }
    }
  };
  await walk(path.join(FIXTURES, layout), '');
  return files;
}

/** Every finding of the layout as `file:line code message`, files in order. */
export async function layoutFindings(layout: string): Promise<string[]> {
  const files = await readLayout(layout);
  const python = new Map([...files].filter(([file]) => file.endsWith('.py')));
  const versionFiles = new Map([...files].filter(([file]) => isVersionSource(file)));
  const starlette = packageVersion(versionFiles, 'starlette');
  const workspace = new PythonWorkspace(python);
  try {
    const detection = new WorkspaceDetection(workspace, starlette ? { starlette } : {});
    const found: string[] = [];
    for (const file of [...python.keys()].sort()) {
      for (const finding of await detection.findings(file)) {
        found.push(`${file}:${finding.node.startPosition.row + 1} ${finding.code} ${finding.message}`);
      }
    }
    return found;
  } finally {
    workspace.dispose();
  }
}

interface Row {
  readonly layout: string;
  readonly what: string;
  /** `file:line code`, each followed by words its message must contain. */
  readonly expected: ReadonlyArray<readonly [string, ...string[]]>;
}

export const ROWS: readonly Row[] = [
  {
    layout: 'service-depends',
    what: 'a service class returned by a Depends provider in another module: its method calls a sync self.client from an async route',
    expected: [
      ['app/services/chat.py:11 llm-not-streamed', 'to the route POST /chat/ask (ask in app/api/chat.py)'],
      ['app/services/chat.py:11 llm-sync-client', 'blocks the event loop', 'async route POST /chat/ask (ask in app/api/chat.py)', 'use AsyncOpenAI'],
    ],
  },
  {
    layout: 'helper-module',
    what: 'a helper in another module (`from app import llm; llm.summarise()`), its client imported as `from openai import AsyncClient`; the streaming helper is fine',
    expected: [['app/llm.py:5 llm-not-streamed', 'OpenAI chat.completions.create()', 'to the route GET /summary (summary in app/main.py)']],
  },
  {
    layout: 'state-and-dicts',
    what: '`request.app.state.llm` set in another module\'s lifespan, `clients["llm"]` and a local `client = clients["fast"]` from a module-level dict',
    expected: [
      ['app/routers/chat.py:10 llm-not-streamed', 'Anthropic messages.create()'],
      ['app/routers/chat.py:20 llm-not-streamed', 'OpenAI chat.completions.create()'],
      ['app/routers/chat.py:30 llm-not-streamed', 'Groq chat.completions.create()'],
      ['app/routers/chat.py:30 llm-sync-client', 'sync Groq client', 'use AsyncGroq'],
    ],
  },
  {
    layout: 'state-one-module',
    what: '`app.state.claude` (an `anthropic.AsyncClient`) and a typed `dict[str, AsyncOpenAI]` filled in the lifespan of the same module; `messages.stream` on app.state is fine',
    expected: [
      ['main.py:24 llm-not-streamed', 'Anthropic messages.create()'],
      ['main.py:34 llm-not-streamed', 'OpenAI chat.completions.create()'],
    ],
  },
  {
    layout: 'factory',
    what: 'factory functions: `client = get_client()` (by its return annotation) and `Depends(make_client)` (by what it returns)',
    expected: [
      ['main.py:21 llm-not-streamed', 'Groq chat.completions.create()'],
      ['main.py:21 llm-sync-client', 'sync Groq client'],
      ['main.py:30 llm-sync-client', 'sync Groq client'],
    ],
  },
  {
    layout: 'offloaded',
    what: 'no finding for calls run in run_in_executor, asyncio.to_thread, run_in_threadpool (a partial or a lambda): worker threads',
    expected: [],
  },
  {
    layout: 'sync-route',
    what: "a `def` route reaching a sync client through a helper: not streamed, but it blocks no event loop (FastAPI's thread pool); `from openai import Client`",
    expected: [['main.py:9 llm-not-streamed', 'to the route GET /sync (sync_route in main.py)']],
  },
  {
    layout: 'headers-after',
    what: 'X-Accel-Buffering set after construction (subscript, headers.update) is read; Cache-Control alone does not stop nginx buffering',
    expected: [['main.py:29 sse-no-accel-buffering', 'X-Accel-Buffering']],
  },
  {
    layout: 'cycles',
    what: 'mutual recursion ends; a call deeper than the bound (9 calls from the route) is not followed',
    expected: [['main.py:17 llm-not-streamed', 'to the route GET /ping (ping_route in main.py)']],
  },
  {
    layout: 'gzip-old',
    what: 'sse-gzip on Starlette 0.41.3 (uv.lock): asserted, with the version and where it was read',
    expected: [['main.py:8 sse-gzip', 'Starlette 0.41.3, from uv.lock, compresses text/event-stream; 0.46.0 and later skip it']],
  },
  { layout: 'gzip-new', what: 'no sse-gzip on Starlette 0.47.2 (requirements.txt with hashes)', expected: [] },
  { layout: 'gzip-range', what: 'no sse-gzip when pyproject requires Starlette>=0.46', expected: [] },
  {
    layout: 'gzip-unknown',
    what: 'sse-gzip with an unpinned Starlette: the message says the version is unknown instead of asserting',
    expected: [['main.py:8 sse-gzip', 'if the project runs Starlette before 0.46.0', 'not pinned']],
  },
  {
    layout: 'gzip-excludes',
    what: 'sse-gzip on a new Starlette when exclude_content_types replaces the default without text/event-stream',
    expected: [['main.py:8 sse-gzip', 'exclude_content_types replaces the default that skips text/event-stream']],
  },
  {
    layout: 'frameworks',
    what: 'LiteLLM (acompletion, sync completion, a Router) and LangChain chat models (ainvoke; invoke on self.llm reached through a module-level service from an async route); astream and stream=True are fine',
    expected: [
      ['app/agent.py:10 llm-not-streamed', 'LangChain ChatOpenAI.invoke()', 'to the route GET /research (research in app/main.py)'],
      ['app/agent.py:10 llm-sync-client', 'async route GET /research', 'use astream'],
      ['app/main.py:16 llm-not-streamed', 'litellm.acompletion()'],
      ['app/main.py:22 llm-not-streamed', 'litellm.completion()'],
      ['app/main.py:22 llm-sync-client', 'use acompletion'],
      ['app/main.py:34 llm-not-streamed', 'litellm.acompletion()'],
      ['app/main.py:40 llm-not-streamed', 'LangChain ChatAnthropic.ainvoke()'],
    ],
  },
];

describe('LLM detection across the workspace', () => {
  for (const row of ROWS) {
    it(`${row.layout}: ${row.what}`, async () => {
      const found = await layoutFindings(row.layout);
      const heads = found.map((f) => f.split(' ').slice(0, 2).join(' '));
      assert.deepEqual(
        heads,
        row.expected.map(([head]) => head),
        found.join('\n'),
      );
      row.expected.forEach(([, ...words], i) => {
        for (const word of words) {
          assert.ok(found[i]!.includes(word), `${found[i]} should say "${word}"`);
        }
      });
    });
  }
});
