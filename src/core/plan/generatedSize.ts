/**
 * What each kind of route writes into a project and how big it is: the planner run on the smallest app (a
 * 7-line FastAPI module), counting the generated package's files and the route code added to the app. The
 * budgets bench prints it, a unit test holds the budget, the README's table is made from it.
 */
import { lineCount } from '../codegen/python/package';
import { planAddEndpoint, type AddEndpointRequest } from './endpoint';

/** The smallest app a route is added to. */
export const SMALLEST_APP = 'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\nasync def index() -> dict[str, str]:\n    return {}\n';

/** The route kinds measured: each protocol, each token source of the sse protocol, resumable streams. */
export const ROUTE_KINDS: ReadonlyArray<{ readonly name: string; readonly request: AddEndpointRequest }> = [
  { name: 'sse, demo source', request: {} },
  { name: 'sse, anthropic SDK', request: { source: { kind: 'sdk', provider: 'anthropic' } } },
  { name: 'sse, openai SDK', request: { source: { kind: 'sdk', provider: 'openai' } } },
  { name: 'sse, groq SDK', request: { source: { kind: 'sdk', provider: 'groq' } } },
  { name: 'ai-sdk, demo source', request: { protocol: 'ai-sdk' } },
  { name: 'openai, demo source', request: { protocol: 'openai' } },
  { name: 'sse resumable, demo source', request: { resumable: true } },
];

export interface GeneratedSize {
  /** Package files (path inside the package -> lines), in path order. */
  readonly files: ReadonlyArray<{ readonly path: string; readonly lines: number }>;
  /** Lines the route adds to the app module (imports, helpers, route). */
  readonly routeLines: number;
  /** Package lines plus route lines. */
  readonly total: number;
}

export async function measureRouteKind(request: AddEndpointRequest): Promise<GeneratedSize> {
  const plan = await planAddEndpoint(new Map([['main.py', SMALLEST_APP]]), request);
  if (plan.status !== 'planned') {
    throw new Error(`the route could not be planned: ${plan.status === 'refused' ? plan.message : plan.status}`);
  }
  const files = plan.changes
    .filter((change) => change.path.startsWith('streaming/'))
    .map((change) => ({ path: change.path.slice('streaming/'.length), lines: lineCount(change.after) }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const app = plan.changes.find((change) => change.path === 'main.py')!;
  const routeLines = lineCount(app.after) - lineCount(SMALLEST_APP);
  return { files, routeLines, total: files.reduce((sum, file) => sum + file.lines, 0) + routeLines };
}

/**
 * The size guard: plain sse with the demo source, package and route together; any one file. Issue #22 asked for
 * 400 lines in total; the five files that route needs measure 735 with the route (667 before the per-loop
 * shutdown poller and the single task group of response.py; 373 lines of code then, the rest headers, docstrings
 * and the blank lines black requires), and no split reaches 400 without dropping behaviour
 * the wire tests hold (the orjson-identical stdlib JSON, typed parts, the shutdown reconnect). Issue #19 raised it
 * from 740 to 1150: every route now hands its answers to an on_finish hook (the hook in the route, finish.py's
 * result and usage types, lifecycle.py's recording, disconnect policy and time limit: 1145 lines measured), the
 * lifecycle the issue asks every generated route to have. Then to 1165 (1161 measured): the stop of a resumable
 * stream, which every encoder reads to say "stopped" in its finish (finish.py's set_stop_signal and
 * answer_stopped, 13 lines). Lowered to 1160 (measured; 1163 before): docstrings say the why once and dead
 * attributes went (1126), then stream_tokens took to reading a with_on_finish answer's source itself, one async
 * hop less per token for paced streams (34 lines: the answer's took/time_out/ended and the protocol stream_tokens
 * reads it by). Of the 1160: 28 header lines, about 636 of code and 76 of imports, 154 of docstrings, 32 of
 * comments, 178 blank lines black requires, 56 of route; the code alone is over 400. Raised to 1187 (measured)
 * for issue #21's paced streams: response.py's helper task per stream (pings, shutdown poll), whose
 * cancellation left each stream's objects to the garbage collector, became one keeper task per event loop
 * (27 lines: a heap of times to look at each stream, the hand-on to another stream's task group when the
 * keeper's own stream ends, a task per ping).
 */
export const GENERATED_LINES_BUDGET = { total: 1187, perFile: 350 } as const;
