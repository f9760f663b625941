/**
 * findNamespacePackages (src/core/python/namespacePackages.ts): which folders without __init__.py a project
 * imports as packages. It had no unit test (12.6% of its mutants killed, all by chance); each case names what it
 * kills (`npm run test:mutation -- python --mutate src/core/python/namespacePackages.ts`).
 */
import assert from 'node:assert/strict';
import { findNamespacePackages } from '../../src/core/python/namespacePackages';

const found = async (files: Record<string, string>) => [...(await findNamespacePackages(new Map(Object.entries(files))))].sort();

describe('findNamespacePackages (mutation-tested)', () => {
  // Kills: `from` absolute imports (module + name), leadsInto's `.py` and folder sides, subfolders as portions
  // (`dir === root || startsWith`), folders with __init__.py refused (`!hasInit`), and the text pre-filter.
  it('a folder an absolute import leads into, with its subfolders; not a package, not an unimported folder', async () => {
    assert.deepEqual(
      await found({
        'app/main.py': 'from app.core import settings\n',
        'app/core.py': '',
        'app/api/routes.py': 'x = 1\n',
        'app/api/pkg/__init__.py': '',
        'other/x.py': 'import json\n',
        'pkg/__init__.py': '',
        'pkg/m.py': 'from pkg import m\n',
      }),
      ['app', 'app/api'],
    );
    assert.deepEqual(await found({ 'main.py': 'from svc import api\n', 'svc/api/x.py': '' }), ['svc', 'svc/api']);
  });

  // Kills: `import a.b` split on dots, `next !== undefined` (a bare `import svc` leads nowhere), a name the folder
  // does not have, and `byName.size === 0` (every folder a package: nothing parsed, nothing found).
  it('import a.b counts; a bare import or a missing module does not', async () => {
    assert.deepEqual(await found({ 'main.py': 'import svc.routes\n', 'svc/routes.py': '' }), ['svc']);
    assert.deepEqual(await found({ 'main.py': 'import svc\n', 'svc/routes.py': '' }), []);
    assert.deepEqual(await found({ 'main.py': 'from tools import thing\n', 'tools/other.py': '' }), []);
    assert.deepEqual(await found({ 'main.py': 'from pkg import m\n', 'pkg/__init__.py': '', 'pkg/m.py': '' }), []);
  });

  // Kills: the relative import branch (`module.startsWith('.')`, `dir !== ''`, `!hasInit(dir)`) and its `continue`.
  it('a module that imports relatively makes its folder a package; at the top level or in a package it does not', async () => {
    assert.deepEqual(await found({ 'backend/svc/main.py': 'from .routes import r\n', 'backend/svc/routes.py': '' }), ['backend/svc']);
    assert.deepEqual(await found({ 'main.py': 'from .routes import r\n', 'routes.py': '', 'lib/x.py': '' }), []);
    assert.deepEqual(await found({ 'p/__init__.py': '', 'p/main.py': 'from . import x\n', 'p/x.py': '', 'q/y.py': '' }), []);
    assert.deepEqual(await found({ 'notes/readme.txt': 'from .x import y', 'notes/a.py': '' }), []);
  });

  // Kills: the folders of .py files only ('.py' -> '') and candidates without __init__.py only (`!hasInit(dir)`
  // -> true: a regular package would bring its plain subfolders). The last two cases keep what an absolute
  // import and a relative one in a regular package mean (their mutants are equivalent: stryker.config.mjs).
  it('folders of other files, subfolders of a regular package, and absolute imports that lead nowhere count for nothing', async () => {
    assert.deepEqual(await found({ 'data/thing/x.txt': '', 'main.py': 'import data.thing\n' }), []);
    assert.deepEqual(await found({ 'pkg/__init__.py': '', 'pkg/sub/mod.py': '', 'main.py': 'import pkg.sub\n' }), []);
    assert.deepEqual(await found({ 'app/main.py': 'import os  # app\n', 'app/x.py': '' }), []);
    assert.deepEqual(await found({ 'p/__init__.py': '', 'p/main.py': 'from . import x\n', 'p/x.py': '', 'p/sub/z.py': '' }), []);
  });
});
