/** How the target module imports another module of the workspace, in the target's own style. */
import type { PythonWorkspace } from '../../python/workspace';
import { importModuleFor, importsOwnPackageAbsolutely } from '../modulePaths';
import type { ResolvedTarget } from './planning';
import { Refusal } from './refusal';

/** The module name the target imports `file` by; undefined when no import reaches it from there. */
export function importFromTarget(workspace: PythonWorkspace, target: ResolvedTarget, file: string): string | undefined {
  return importModuleFor(workspace, target.file, file, importsOwnPackageAbsolutely(workspace, target.file, target.analysis));
}

/** How the target imports `what` at `file` (the streaming package, a module of an earlier version); refused when it cannot. */
export function requiredImportFromTarget(workspace: PythonWorkspace, target: ResolvedTarget, file: string, what: string): string {
  const importName = importFromTarget(workspace, target, file);
  if (importName === undefined) {
    throw new Refusal(
      'unsupported-layout',
      `${target.file} cannot import ${what} at ${file} (no import reaches it from there: are its folder and file names Python identifiers, its folder a package, with an __init__.py, under the same import root?). Put it in ${target.file}'s package, or next to it for a top-level script.`,
    );
  }
  return importName;
}
