/**
 * A workspace's Python modules seen together: module names from the package layout (`__init__.py`, src
 * layouts), the apps and routers a route can be added to, and each app's full route table across files
 * (routers resolved through imports and `include_router`, prefixes applied).
 *
 *   const ws = new PythonWorkspace(files)          // files: workspace-relative POSIX path -> text
 *   await ws.targets()                             // EndpointTarget[]: apps, factories, routers
 *   await ws.routeTable({ file, id })              // every route the app/router serves, with full paths
 *   ws.dispose()
 *
 * Pure: it reads only the texts it is given. Modules are analysed on first use.
 */
import path from 'node:path';
import { analyzePythonModule, type ApiRouter, type FastApiApp, type ModuleAnalysis, type Route, type RouterInclusion } from './analysis';
import type { SyntaxNode } from './parser';
import { resolveString, type ModuleLookup } from './stringConstants';

export interface ModuleIdentity {
  /** `app.routers.items`; `main` for a top-level script. */
  readonly dottedName: string;
  /** The folder on sys.path that the dotted name is relative to ('' for the workspace root). */
  readonly root: string;
  /** The file is a package's `__init__.py`. */
  readonly isPackage: boolean;
  /** The file is inside a package (its folder has an `__init__.py`). */
  readonly inPackage: boolean;
}

export interface EndpointTarget {
  readonly file: string;
  /** The app variable, factory function or router variable. */
  readonly id: string;
  readonly kind: 'app' | 'factory' | 'router';
  /** 0-based line of its definition. */
  readonly line: number;
  /** e.g. "FastAPI app", "app factory", "APIRouter (prefix /items)". */
  readonly description: string;
  /** For an app made by a factory of the same module (`app = create_app()`): the factory. */
  readonly createdBy?: string;
}

export interface TargetRef {
  readonly file: string;
  readonly id: string;
}

export interface ServedRoute {
  readonly methods: readonly string[];
  /** The path a client requests, with every router and inclusion prefix. */
  readonly path: string;
  readonly route: Route;
  readonly file: string;
}

/**
 * A prefix whose value cannot be known from the source (`prefix=get_prefix()`), as it appears in a path:
 * `<get_prefix()>`. `<` and `>` never occur in a route path, so such a path matches no request and no route.
 */
export function unresolvedPrefix(expression: string): string {
  return `<${expression}>`;
}

/** The unresolved prefixes in a path (see unresolvedPrefix), as written: `get_prefix()`. */
export function unresolvedPrefixesIn(path: string): string[] {
  const found: string[] = [];
  for (let start = path.indexOf('<'); start >= 0; start = path.indexOf('<', start + 1)) {
    const end = path.indexOf('>', start);
    if (end < 0) {
      break;
    }
    found.push(path.slice(start + 1, end));
  }
  return found;
}

/**
 * Test code, not the project's app: files under a `tests/` or `test/` folder, `test_*.py`, `*_test.py` and
 * `conftest.py` (pytest's conventions). Their apps and fixtures are never a default target.
 */
export function isTestFile(file: string): boolean {
  const parts = file.split('/');
  const name = parts[parts.length - 1] ?? '';
  return parts.slice(0, -1).some((dir) => dir === 'tests' || dir === 'test') || name === 'conftest.py' || /^test_.*\.py$|_test\.py$/.test(name);
}

export class PythonWorkspace implements ModuleLookup {
  private readonly analyses = new Map<string, Promise<ModuleAnalysis>>();
  private readonly byDottedName = new Map<string, string>();

  /**
   * `options.namespacePackages`: folders without `__init__.py` that the project imports as packages (see
   * namespacePackages.ts); module names run through them as through regular packages.
   */
  constructor(
    readonly files: ReadonlyMap<string, string>,
    private readonly options: { readonly namespacePackages?: ReadonlySet<string> } = {},
  ) {
    for (const file of files.keys()) {
      if (file.endsWith('.py')) {
        this.byDottedName.set(this.identity(file).dottedName, file);
      }
    }
  }

  /** Analysis of one file (cached; undefined when the workspace has no such file). */
  module(file: string): Promise<ModuleAnalysis> | undefined {
    const text = this.files.get(file);
    if (text === undefined) {
      return undefined;
    }
    let analysis = this.analyses.get(file);
    if (!analysis) {
      analysis = analyzePythonModule(text);
      this.analyses.set(file, analysis);
    }
    return analysis;
  }

  identity(file: string): ModuleIdentity {
    const parts: string[] = [];
    const base = path.posix.basename(file, '.py');
    const isPackage = base === '__init__';
    if (!isPackage) {
      parts.push(base);
    }
    let dir = folderOf(file);
    const isPackageFolder = (folder: string) => this.files.has(joinPath(folder, '__init__.py')) || this.options.namespacePackages?.has(folder) === true;
    const inPackage = this.files.has(joinPath(dir, '__init__.py')) || (dir !== '' && isPackageFolder(dir));
    while (dir !== '' && isPackageFolder(dir)) {
      parts.unshift(path.posix.basename(dir));
      dir = folderOf(dir);
    }
    return { dottedName: parts.join('.'), root: dir, isPackage, inPackage };
  }

  /** The file of a module by dotted name, if the workspace has it. */
  fileOf(dottedName: string): string | undefined {
    return this.byDottedName.get(dottedName);
  }

  /**
   * The file of the module `qualified` (absolute, or relative with leading dots) names when imported from
   * `fromFile`: through the package layout first, else as a namespace package (folders without
   * `__init__.py`, which Python 3 imports too) under the importer's import root, the workspace folder or
   * a folder above the importer.
   */
  moduleFile(fromFile: string, qualified: string): string | undefined {
    const absolute = this.absoluteName(fromFile, qualified);
    const known = absolute === undefined ? undefined : this.fileOf(absolute);
    if (known !== undefined) {
      return known;
    }
    const rest = qualified.replace(/^\.+/, '');
    const dots = qualified.length - rest.length;
    const parts = rest === '' ? [] : rest.split('.');
    const candidates = (base: string) => {
      const stem = [base, ...parts].filter((p) => p !== '').join('/');
      return parts.length === 0 ? [joinPath(stem, '__init__.py')] : [`${stem}.py`, joinPath(stem, '__init__.py')];
    };
    const roots: string[] = [];
    if (dots > 0) {
      let dir = folderOf(fromFile);
      for (let up = 1; up < dots; up++) {
        if (dir === '') {
          return undefined;
        }
        dir = folderOf(dir);
      }
      roots.push(dir);
    } else {
      roots.push(this.identity(fromFile).root, '');
      for (let dir = folderOf(fromFile); dir !== ''; dir = folderOf(dir)) {
        roots.push(dir);
      }
    }
    for (const root of roots) {
      const file = candidates(root).find((candidate) => this.files.has(candidate));
      if (file !== undefined) {
        return file;
      }
    }
    return undefined;
  }

  /** A router's `prefix=` value (constants and settings followed); `<expression>` when it cannot be known. */
  async routerPrefix(file: string, router: ApiRouter): Promise<string> {
    return router.prefixExpression ? this.prefixValue(file, router.prefixExpression) : router.prefix;
  }

  /** An `include_router(..., prefix=...)` value, as routerPrefix. */
  async inclusionPrefix(file: string, inclusion: RouterInclusion): Promise<string> {
    return inclusion.prefixExpression ? this.prefixValue(file, inclusion.prefixExpression) : inclusion.prefix;
  }

  private async prefixValue(file: string, expression: SyntaxNode): Promise<string> {
    return (await resolveString(this, file, expression)) ?? unresolvedPrefix(expression.text);
  }

  /** Top-level names of the project's own modules and packages (isort's first-party section). */
  firstPartyModules(): Set<string> {
    return new Set([...this.byDottedName.keys()].map((name) => name.split('.')[0] ?? name).filter((name) => name !== ''));
  }

  /** Python files that may define apps or routers: only those mentioning fastapi are parsed. */
  private fastapiFiles(): string[] {
    return [...this.files.entries()]
      .filter(([file, text]) => file.endsWith('.py') && text.includes('fastapi'))
      .map(([file]) => file)
      .sort(compareFiles);
  }

  /** Every app, factory and router in the workspace: apps first, top-level files before nested ones. */
  async targets(): Promise<EndpointTarget[]> {
    const apps: EndpointTarget[] = [];
    const routers: EndpointTarget[] = [];
    for (const file of this.fastapiFiles()) {
      const analysis = await this.module(file)!;
      for (const app of analysis.apps) {
        apps.push({
          file,
          id: app.id,
          kind: app.kind === 'factory' ? 'factory' : 'app',
          line: app.span.startPoint.row,
          description: describeApp(app),
          ...(app.createdBy ? { createdBy: app.createdBy } : {}),
        });
      }
      for (const router of analysis.routers) {
        routers.push({
          file,
          id: router.id,
          kind: 'router',
          line: router.span.startPoint.row,
          description: router.prefix ? `APIRouter (prefix ${router.prefix})` : 'APIRouter',
        });
      }
    }
    return [...apps, ...routers];
  }

  /**
   * The routes a client can reach through an app (its own, and its routers' with their prefixes), or through
   * a router (its own and its sub-routers', with the router's prefix but not the prefixes of where it is
   * included; see `inclusionsOf`).
   */
  async routeTable(target: TargetRef, prefix = '', seen = new Set<string>()): Promise<ServedRoute[]> {
    const key = `${target.file}:${target.id}`;
    const analysis = await this.module(target.file);
    if (!analysis || seen.has(key)) {
      return [];
    }
    seen.add(key);
    // An app made by a local factory serves the factory's routes.
    const owners = new Set([target.id]);
    const app = analysis.apps.find((a) => a.id === target.id);
    if (app?.createdBy) {
      owners.add(app.createdBy);
    }
    const router = analysis.routers.find((r) => r.id === target.id);
    const ownPrefix = prefix + (router ? await this.routerPrefix(target.file, router) : '');
    const table: ServedRoute[] = analysis.routes
      .filter((route) => owners.has(route.owner))
      .map((route) => ({ methods: route.methods, path: ownPrefix + route.path, route, file: target.file }));
    for (const inclusion of analysis.inclusions.filter((i) => owners.has(i.owner))) {
      const included = await this.resolveRouter(target.file, analysis, inclusion.router, inclusion.routerQualifiedName);
      if (included) {
        table.push(...(await this.routeTable(included, ownPrefix + (await this.inclusionPrefix(target.file, inclusion)), seen)));
      }
    }
    return table;
  }

  /** Where a router is included, and the prefix it gets there (apps and routers, across the workspace). */
  async inclusionsOf(router: TargetRef): Promise<Array<{ readonly owner: TargetRef; readonly prefix: string; readonly inclusion: RouterInclusion }>> {
    const found: Array<{ owner: TargetRef; prefix: string; inclusion: RouterInclusion }> = [];
    for (const file of this.fastapiFiles()) {
      const analysis = await this.module(file)!;
      for (const inclusion of analysis.inclusions) {
        const resolved = await this.resolveRouter(file, analysis, inclusion.router, inclusion.routerQualifiedName);
        if (resolved?.file === router.file && resolved.id === router.id) {
          found.push({ owner: { file, id: inclusion.owner }, prefix: await this.inclusionPrefix(file, inclusion), inclusion });
        }
      }
    }
    // An app in the project's code before one in its tests.
    return found.sort((a, b) => Number(isTestFile(a.owner.file)) - Number(isTestFile(b.owner.file)));
  }

  /** An included router expression (`router`, `items.router`) as used in `file`, resolved to its module and variable. */
  async includedRouter(file: string, inclusion: RouterInclusion): Promise<TargetRef | undefined> {
    const analysis = await this.module(file);
    return analysis && this.resolveRouter(file, analysis, inclusion.router, inclusion.routerQualifiedName);
  }

  /** An absolute dotted name for a (possibly relative) qualified name as seen from `file`. */
  absoluteName(file: string, qualified: string): string | undefined {
    const dots = qualified.length - qualified.replace(/^\.+/, '').length;
    if (dots === 0) {
      return qualified;
    }
    const identity = this.identity(file);
    const packageParts = identity.dottedName.split('.').filter((p) => p !== '');
    const base = identity.isPackage ? packageParts : packageParts.slice(0, -1);
    if (dots - 1 > base.length) {
      return undefined;
    }
    const rest = qualified.slice(dots);
    return [...base.slice(0, base.length - (dots - 1)), ...(rest ? rest.split('.') : [])].join('.');
  }

  /** A router expression (`router`, `items.router`) as used in `file`, resolved to its module and variable. */
  private async resolveRouter(file: string, analysis: ModuleAnalysis, expression: string, qualified?: string): Promise<TargetRef | undefined> {
    if (qualified === undefined) {
      return analysis.routers.some((r) => r.id === expression) ? { file, id: expression } : undefined;
    }
    // `pkg.routers.items.router`, `.chat.router`: a variable (the last part) of a module the workspace has.
    const rest = qualified.replace(/^\.+/, '');
    const cut = rest.lastIndexOf('.');
    const id = rest.slice(cut + 1);
    const moduleName = qualified.slice(0, qualified.length - rest.length) + (cut < 0 ? '' : rest.slice(0, cut));
    const moduleFile = moduleName === '' ? undefined : this.moduleFile(file, moduleName);
    if (id === '' || moduleFile === undefined) {
      return undefined;
    }
    const routerModule = await this.module(moduleFile)!;
    return routerModule.routers.some((r) => r.id === id) ? { file: moduleFile, id } : undefined;
  }

  dispose(): void {
    for (const analysis of this.analyses.values()) {
      void analysis.then(
        (a) => a.dispose(),
        () => undefined,
      );
    }
    this.analyses.clear();
  }
}

function describeApp(app: FastApiApp): string {
  if (app.kind === 'factory') {
    return 'FastAPI app factory';
  }
  return app.createdBy ? `FastAPI app made by ${app.createdBy}()` : 'FastAPI app';
}

function folderOf(file: string): string {
  const dir = path.posix.dirname(file);
  return dir === '.' ? '' : dir;
}

function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** Shallow files first (main.py before app/main.py), then by name. */
function compareFiles(a: string, b: string): number {
  const depth = (file: string) => file.split('/').length;
  return depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0);
}
