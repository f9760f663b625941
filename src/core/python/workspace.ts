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
import { analyzePythonModule, type FastApiApp, type ModuleAnalysis, type Route } from './analysis';

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

export class PythonWorkspace {
  private readonly analyses = new Map<string, Promise<ModuleAnalysis>>();
  private readonly byDottedName = new Map<string, string>();

  constructor(readonly files: ReadonlyMap<string, string>) {
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
    const inPackage = this.files.has(joinPath(dir, '__init__.py'));
    while (dir !== '' && this.files.has(joinPath(dir, '__init__.py'))) {
      parts.unshift(path.posix.basename(dir));
      dir = folderOf(dir);
    }
    return { dottedName: parts.join('.'), root: dir, isPackage, inPackage };
  }

  /** The file of a module by dotted name, if the workspace has it. */
  fileOf(dottedName: string): string | undefined {
    return this.byDottedName.get(dottedName);
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
    const table: ServedRoute[] = analysis.routes
      .filter((route) => owners.has(route.owner))
      .map((route) => ({ methods: route.methods, path: prefix + route.fullPath, route, file: target.file }));
    for (const inclusion of analysis.inclusions.filter((i) => owners.has(i.owner))) {
      const router = await this.resolveRouter(target.file, analysis, inclusion.router, inclusion.routerQualifiedName);
      if (router) {
        table.push(...(await this.routeTable(router, prefix + inclusion.prefix, seen)));
      }
    }
    return table;
  }

  /** Where a router is included, and the prefix it gets there (apps and routers, across the workspace). */
  async inclusionsOf(router: TargetRef): Promise<Array<{ readonly owner: TargetRef; readonly prefix: string }>> {
    const found: Array<{ owner: TargetRef; prefix: string }> = [];
    for (const file of this.fastapiFiles()) {
      const analysis = await this.module(file)!;
      for (const inclusion of analysis.inclusions) {
        const resolved = await this.resolveRouter(file, analysis, inclusion.router, inclusion.routerQualifiedName);
        if (resolved?.file === router.file && resolved.id === router.id) {
          found.push({ owner: { file, id: inclusion.owner }, prefix: inclusion.prefix });
        }
      }
    }
    return found;
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
    const absolute = this.absoluteName(file, qualified);
    if (absolute === undefined) {
      return undefined;
    }
    // `pkg.routers.items.router`: a variable (the last part) of a module the workspace has.
    const parts = absolute.split('.');
    const id = parts.pop();
    const moduleFile = this.fileOf(parts.join('.'));
    if (id === undefined || moduleFile === undefined) {
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
