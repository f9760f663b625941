/**
 * Folders without an `__init__.py` that the project imports as packages (PEP 420 namespace packages).
 *
 * `app/main.py` with no `app/__init__.py` is a script in `app/` by the file layout alone, but when the
 * project's own code says `from app.core import settings` (or `app/main.py` imports relatively), it is run
 * from the parent folder as `uvicorn app.main:app`, and a new module next to it must be imported as
 * `app.streaming` (or `.streaming`), never as a top-level `streaming`.
 *
 *   await findNamespacePackages(files)   // Set of folders: 'app', 'app/api', 'backend/app', ...
 *
 * A folder counts when an absolute import's first names lead into it (`app.core` with `app/core.py` or
 * `app/core/`), or when a module directly in it imports relatively. Its subfolders without `__init__.py`
 * count too: they are portions of the same package. Reads import statements from syntax trees only.
 */
import path from 'node:path';
import { analyzePythonModule } from './analysis';

export async function findNamespacePackages(files: ReadonlyMap<string, string>): Promise<Set<string>> {
  const folders = new Set<string>();
  for (const file of files.keys()) {
    if (file.endsWith('.py')) {
      for (let dir = folderOf(file); dir !== ''; dir = folderOf(dir)) {
        folders.add(dir);
      }
    }
  }
  const hasInit = (dir: string) => files.has(`${dir}/__init__.py`);
  // Folders by their own name: the candidates an absolute import's first name may lead into.
  const byName = new Map<string, string[]>();
  for (const dir of folders) {
    if (!hasInit(dir)) {
      const name = path.posix.basename(dir);
      byName.set(name, [...(byName.get(name) ?? []), dir]);
    }
  }
  if (byName.size === 0) {
    return new Set();
  }
  const leadsInto = (dir: string, next: string | undefined) => next !== undefined && (files.has(`${dir}/${next}.py`) || folders.has(`${dir}/${next}`));

  const roots = new Set<string>();
  for (const [file, text] of files) {
    // Cheap text filter first: only files mentioning a candidate folder's name (or a relative import) are parsed.
    if (!file.endsWith('.py') || (![...byName.keys()].some((name) => text.includes(name)) && !text.includes('from .'))) {
      continue;
    }
    const analysis = await analyzePythonModule(text);
    try {
      for (const statement of analysis.imports) {
        if (statement.kind === 'from' && statement.module.startsWith('.')) {
          const dir = folderOf(file);
          if (dir !== '' && !hasInit(dir)) {
            roots.add(dir);
          }
          continue;
        }
        const dotted =
          statement.kind === 'import' ? statement.names.map((n) => n.name.split('.')) : statement.names.map((n) => [...statement.module.split('.'), n.name]);
        for (const [first, second] of dotted) {
          for (const dir of byName.get(first ?? '') ?? []) {
            if (leadsInto(dir, second)) {
              roots.add(dir);
            }
          }
        }
      }
    } finally {
      analysis.dispose();
    }
  }
  // Subfolders without __init__.py of a namespace package are portions of it.
  const found = new Set<string>();
  for (const dir of folders) {
    if (!hasInit(dir) && [...roots].some((root) => dir === root || dir.startsWith(`${root}/`))) {
      found.add(dir);
    }
  }
  return found;
}

function folderOf(file: string): string {
  const dir = path.posix.dirname(file);
  return dir === '.' ? '' : dir;
}
