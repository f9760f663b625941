/**
 * Asks the real app: imports each candidate app as uvicorn would (`--app-dir` on sys.path, `module:attribute`,
 * a factory called when it takes no required argument) in one Python subprocess and, for a route function
 * named by file and name, reads FastAPI's own route table (`app.routes`, mounts and sub-apps in order):
 * the path the route is served at, and what Starlette's own matching (`route.matches(scope)`, tried in order,
 * descending into mounts) answers a request to it with. The import check (importCheck.ts) is this probe with
 * no route asked about.
 *
 *   await probeApps(python, overlayDir, {
 *     candidates: [{ appDir: '', app: 'server.main:app', factory: false }],
 *     endpoint: { file: 'server/routes/chat.py', functionName: 'stream', method: 'GET' },
 *   })
 *     -> { probes: [{ status: 'serves', target, path: '/api/v1/chat/stream', reached: true, module: 'server.routes.chat' }],
 *          fastapiCli: false }
 *
 * It runs the project's module-level code (as starting the server would); bytecode caches are not written.
 */
import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import path from 'node:path';

/** `uvicorn [--app-dir DIR] module:attribute [--factory]`; an attribute-less `module` means "any app that module holds". */
export interface ProbeTarget {
  readonly appDir: string;
  readonly app: string;
  readonly factory: boolean;
}

/** A failed import: the traceback's last line and the deepest frame in the project's own files. */
export interface ProbeFailure {
  /** The traceback's last line, e.g. `KeyError: 'stream'`. */
  readonly error: string;
  /** The deepest frame in `cwd` (relative, `/`-separated), else the deepest frame (absolute). */
  readonly file?: string;
  readonly line?: number;
  /** That line's code, stripped. */
  readonly code?: string;
  /** A ModuleNotFoundError's module (`openai`, `app.streaming`). */
  readonly missingModule?: string;
}

/** What answers a request to the route's path first, when it is not the route. */
export interface RouteCaptor {
  readonly kind: 'route' | 'mount';
  /** The full path as served (mount prefixes applied), e.g. `/{full_path:path}`. */
  readonly path: string;
  readonly methods: readonly string[];
  /** The endpoint function's name and where it is defined (workspace-relative when in the project). */
  readonly name?: string;
  readonly file?: string;
  readonly line?: number;
}

export type CandidateProbe =
  | { readonly status: 'failed'; readonly target: ProbeTarget; readonly failure: ProbeFailure }
  /** A factory with required parameters: uvicorn --factory cannot call it. */
  | { readonly status: 'needs-arguments'; readonly target: ProbeTarget; readonly parameters: readonly string[] }
  /** Imported; no app there (or none serving the route asked about). */
  | { readonly status: 'no-app'; readonly target: ProbeTarget }
  /** Imported (and the route asked about, if any, is in its route table). */
  | {
      readonly status: 'serves';
      /** The app as uvicorn takes it (the attribute found when the candidate named a module only). */
      readonly target: ProbeTarget;
      /** The route's full path as served, `{param}` segments as written. */
      readonly path?: string;
      /** Whether Starlette's matching sends a request to that path (with the route's method) to the route. */
      readonly reached?: boolean;
      readonly captor?: RouteCaptor;
      /** The dotted name the route's module was imported by (its placement on sys.path). */
      readonly module?: string;
      /** With `routesOf`: the app's routes whose functions that file defines, in the table's order. */
      readonly routes?: readonly ServedRouteEntry[];
    };

/** A route of an app's table: its function's name and first line (of its decorators), full path, methods. */
export interface ServedRouteEntry {
  readonly name: string;
  /** Where the function is defined: workspace-relative when in the project. */
  readonly file: string;
  readonly line: number;
  readonly path: string;
  readonly methods: readonly string[];
}

export interface ProbeRequest {
  readonly candidates: readonly ProbeTarget[];
  /** The route to look for: its function, by the file that defines it (workspace-relative) and name. */
  readonly endpoint?: { readonly file: string; readonly functionName: string; readonly method: string };
  /** Instead of one route: every route whose function this file (workspace-relative) defines; `*` for every route. */
  readonly routesOf?: string;
  /** Stop at the first candidate that serves the route (or imports, with no route asked about). */
  readonly firstOnly?: boolean;
}

const MARKER = 'CATALYST-APP-PROBE ';

/**
 * One marked stdout line per run (the app may print too). Starlette's own `Match` and `route.matches` decide;
 * the scope is updated with the child scope a match returns, as `Router.app` does, so mounts strip their
 * prefix the way each Starlette version does.
 */
const SCRIPT = String.raw`
import importlib
import inspect
import json
import os
import sys
import traceback
import uuid

request = json.loads(sys.argv[1])
project = request["project"]
endpoint = request.get("endpoint")
routes_of = request.get("routesOf")


def relative(filename):
    if not filename:
        return None
    absolute = os.path.abspath(filename)
    return os.path.relpath(absolute, project).replace(os.sep, "/") if absolute.startswith(project + os.sep) else absolute


def failure(exc):
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if os.path.isfile(f.filename) and os.path.abspath(f.filename).startswith(project + os.sep)]
    frame = (own or frames or [None])[-1]
    if isinstance(exc, SyntaxError) and exc.filename:
        frame = traceback.FrameSummary(exc.filename, exc.lineno or 0, "")
    return {
        "error": traceback.format_exception_only(type(exc), exc)[-1].strip(),
        "file": frame.filename if frame else None,
        "line": frame.lineno if frame else None,
        "code": (frame.line or "") if frame else "",
        "missing": exc.name if isinstance(exc, ModuleNotFoundError) else None,
    }


def function_of(route):
    function = getattr(route, "endpoint", None)
    try:
        function = inspect.unwrap(function)
    except Exception:
        pass
    return function


def is_endpoint(route):
    function = function_of(route)
    code = getattr(function, "__code__", None)
    return (
        code is not None
        and getattr(function, "__name__", None) == endpoint["functionName"]
        and relative(code.co_filename) == endpoint["file"]
    )


SAMPLES = {"IntegerConvertor": 1, "FloatConvertor": 1.5, "UUIDConvertor": uuid.UUID(int=1), "PathConvertor": "sample"}


def request_path(path_format, convertors):
    for name, convertor in convertors.items():
        try:
            text = convertor.to_string(SAMPLES.get(type(convertor).__name__, "sample"))
        except Exception:
            text = "sample"
        path_format = path_format.replace("{" + name + "}", text)
    return path_format


def children(route):
    """The routes under a mount (a mounted app's, [] for static files) or a host; None for a route."""
    from starlette.routing import Host, Mount

    return list(route.routes) if isinstance(route, (Mount, Host)) else None


def flatten(routes, written, requested):
    """Every route of the table in order, mounts and included routers entered: (route, full written path, a request path)."""
    for route in routes:
        if hasattr(route, "effective_route_contexts"):
            # FastAPI 0.13x+: an included router resolved lazily; each context is one of its routes, prefixed.
            for context in route.effective_route_contexts():
                inner_route = context.starlette_route or context.original_route
                inner = children(inner_route)
                if inner is not None:
                    yield from flatten(inner, written + inner_route.path, requested + request_path(inner_route.path, mount_convertors(inner_route)))
                else:
                    yield context.original_route, written + context.path, requested + request_path(context.path_format or context.path, context.param_convertors)
            continue
        inner = children(route)
        if inner is not None:
            mount_path = getattr(route, "path", "") or ""
            yield from flatten(inner, written + mount_path, requested + request_path(mount_path, mount_convertors(route)))
        else:
            path = getattr(route, "path", "")
            yield route, written + path, requested + request_path(getattr(route, "path_format", path), getattr(route, "param_convertors", {}))


def find(routes):
    """The route asked about: its full written path and a request path for it."""
    for route, written, requested in flatten(routes, "", ""):
        if is_endpoint(route):
            return written, requested
    return None


def routes_in(routes, file):
    """The routes whose functions are defined in the file ("*": every route): name, file, first line, full written path, methods."""
    listed = []
    for route, written, _ in flatten(routes, "", ""):
        function = function_of(route)
        code = getattr(function, "__code__", None)
        where = relative(code.co_filename) if code is not None else None
        if where is not None and (file == "*" or where == file):
            methods = sorted(getattr(route, "methods", None) or [])
            listed.append({"name": function.__name__, "file": where, "line": code.co_firstlineno, "path": written, "methods": methods})
    return listed


def mount_convertors(route):
    return {k: v for k, v in getattr(route, "param_convertors", {}).items() if k != "path"}


def dispatch(routes, scope, written):
    """What Starlette runs for the scope: (route, full written path, is a mount), or None (404)."""
    from starlette.routing import Match

    partial = None
    for route in routes:
        try:
            match, child = route.matches(scope)
        except Exception:
            continue
        if match == Match.FULL:
            return descend(route, dict(scope, **child), written)
        if match == Match.PARTIAL and partial is None:
            partial = (route, child)
    if partial is not None:
        return descend(partial[0], dict(scope, **partial[1]), written)
    return None


def descend(route, scope, written):
    path = None
    while hasattr(route, "_match"):
        # FastAPI 0.13x+: an included router matched; its own matching picks the route, as it does when serving.
        _, child, selected, context = route._match(scope)
        if selected is None:
            return None
        scope = dict(scope, **child)
        if context is not None:
            path = written + (getattr(context.starlette_route, "path", None) or context.path)
        route = selected
    inner = children(route)
    path = path or written + (getattr(route, "path", "") or "")
    if inner is None:
        return route, path, False
    # A mounted app answers everything under its path, its own 404 included: nothing after it is tried.
    return dispatch(inner, scope, path) or (route, path, True)


def captor(found):
    route, path, mount = found
    function = function_of(route)
    code = getattr(function, "__code__", None)
    return {
        "kind": "mount" if mount else "route",
        "path": path,
        "methods": sorted(getattr(route, "methods", None) or []),
        "name": getattr(function, "__name__", None) if not mount else None,
        "file": relative(code.co_filename) if code else None,
        "line": code.co_firstlineno if code else None,
    }


def module_of(file):
    for name, module in list(sys.modules.items()):
        if relative(getattr(module, "__file__", None)) == file:
            return name
    return None


def apps_in(value):
    from starlette.applications import Starlette

    return isinstance(value, Starlette)


def answer(candidate, app, attribute):
    target = dict(candidate, app=candidate["app"].partition(":")[0] + ":" + attribute)
    if routes_of is not None:
        listed = routes_in(list(app.routes), routes_of)
        return {"status": "serves", "target": target, "routes": listed} if listed else None
    if endpoint is None:
        return {"status": "serves", "target": target}
    found = find(list(app.routes))
    if found is None:
        return None
    written, requested = found
    scope = {
        "type": "http",
        "http_version": "1.1",
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "method": endpoint["method"],
        "path": requested,
        "raw_path": requested.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [],
        "path_params": {},
    }
    reached = dispatch(list(app.routes), scope, "")
    result = {
        "status": "serves",
        "target": target,
        "path": written,
        "reached": reached is not None and not reached[2] and is_endpoint(reached[0]),
        "module": module_of(endpoint["file"]),
    }
    if not result["reached"] and reached is not None:
        result["captor"] = captor(reached)
    return result


def probe(candidate):
    app_dir = candidate["appDir"] or "."
    if app_dir not in sys.path:
        sys.path.insert(0, app_dir)
    module_name, _, attribute = candidate["app"].partition(":")
    try:
        module = importlib.import_module(module_name)
        if not attribute:
            for name, value in list(vars(module).items()):
                if apps_in(value):
                    served = answer(candidate, value, name)
                    if served is not None:
                        return served
            return {"status": "no-app", "target": candidate}
        app = getattr(module, attribute)
        if candidate["factory"]:
            try:
                parameters = inspect.signature(app).parameters.values()
            except (TypeError, ValueError):
                parameters = []
            required = [p.name for p in parameters if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
            if required:
                return {"status": "needs-arguments", "target": candidate, "parameters": required}
            app = app()
    except BaseException as exc:  # noqa: BLE001 - any failure to start is the report
        return {"status": "failed", "target": candidate, "failure": failure(exc)}
    if not hasattr(app, "routes"):
        asked = endpoint is not None or routes_of is not None
        return {"status": "no-app", "target": candidate} if asked else {"status": "serves", "target": candidate}
    return answer(candidate, app, attribute) or {"status": "no-app", "target": candidate}


results = []
for candidate in request["candidates"]:
    result = probe(candidate)
    results.append(result)
    if request.get("firstOnly") and result["status"] == "serves":
        break
try:
    import importlib.util

    fastapi_cli = importlib.util.find_spec("fastapi_cli") is not None
except Exception:
    fastapi_cli = False
sys.stdout.flush()
print("${MARKER}" + json.dumps({"results": results, "fastapiCli": fastapi_cli}, default=str), flush=True)
`;

export class ProbeError extends Error {}

export interface ProbeAnswer {
  /** One per candidate asked, in order (fewer with `firstOnly`). */
  readonly probes: readonly CandidateProbe[];
  /** Whether this Python can import the FastAPI CLI (`fastapi dev`). */
  readonly fastapiCli: boolean;
}

/** Runs the probe; rejects with a ProbeError when Python gave no answer (it died or timed out), with why. */
export async function probeApps(python: string, cwd: string, request: ProbeRequest, timeoutMs = 60_000): Promise<ProbeAnswer> {
  // Python reports module files under the real path of its working folder.
  const project = await realpath(cwd);
  const { stdout, stderr, failure } = await runPython(python, ['-c', SCRIPT, JSON.stringify({ ...request, project })], cwd, timeoutMs);
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(MARKER));
  if (line === undefined) {
    const last = stderr.trim().split('\n').pop();
    throw new ProbeError(failure === 'timeout' ? `the import did not finish in ${timeoutMs / 1000} s` : last || `${python} exited without a result`);
  }
  const answer = JSON.parse(line.slice(MARKER.length)) as { results: RawProbe[]; fastapiCli: boolean };
  return { probes: answer.results.map((raw) => fromRaw(raw, project)), fastapiCli: answer.fastapiCli };
}

interface RawFailure {
  error?: string;
  file?: string | null;
  line?: number | null;
  code?: string;
  missing?: string | null;
}

interface RawProbe {
  status: CandidateProbe['status'];
  target: ProbeTarget;
  failure?: RawFailure;
  parameters?: string[];
  path?: string;
  reached?: boolean;
  module?: string | null;
  routes?: ServedRouteEntry[];
  captor?: { kind: 'route' | 'mount'; path: string; methods: string[]; name?: string | null; file?: string | null; line?: number | null };
}

function fromRaw(raw: RawProbe, project: string): CandidateProbe {
  switch (raw.status) {
    case 'failed':
      return { status: 'failed', target: raw.target, failure: failureOf(raw.failure ?? {}, project) };
    case 'needs-arguments':
      return { status: 'needs-arguments', target: raw.target, parameters: raw.parameters ?? [] };
    case 'no-app':
      return { status: 'no-app', target: raw.target };
    case 'serves': {
      const captor = raw.captor;
      return {
        status: 'serves',
        target: raw.target,
        ...(raw.path !== undefined ? { path: raw.path } : {}),
        ...(raw.reached !== undefined ? { reached: raw.reached } : {}),
        ...(raw.module ? { module: raw.module } : {}),
        ...(raw.routes ? { routes: raw.routes } : {}),
        ...(captor
          ? {
              captor: {
                kind: captor.kind,
                path: captor.path,
                methods: captor.methods,
                ...(captor.name ? { name: captor.name } : {}),
                ...(captor.file ? { file: captor.file } : {}),
                ...(typeof captor.line === 'number' ? { line: captor.line } : {}),
              },
            }
          : {}),
      };
    }
  }
}

function failureOf(result: RawFailure, project: string): ProbeFailure {
  const file = result.file ?? undefined;
  const relative =
    file !== undefined && path.resolve(project, file).startsWith(project + path.sep)
      ? path.relative(project, path.resolve(project, file)).split(path.sep).join('/')
      : file;
  return {
    error: result.error ?? 'unknown error',
    ...(relative !== undefined ? { file: relative } : {}),
    ...(typeof result.line === 'number' && result.line > 0 ? { line: result.line } : {}),
    ...(result.code ? { code: result.code } : {}),
    ...(result.missing ? { missingModule: result.missing } : {}),
  };
}

function runPython(command: string, args: string[], cwd: string, timeoutMs: number): Promise<{ stdout: string; stderr: string; failure?: 'timeout' | 'exit' }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
      (error, stdout, stderr) => {
        const failure = error ? ((error as { killed?: boolean }).killed ? 'timeout' : 'exit') : undefined;
        resolve({ stdout, stderr, ...(failure ? { failure } : {}) });
      },
    );
  });
}
