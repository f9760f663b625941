/**
 * resolveString (src/core/python/stringConstants.ts) on the forms it had no test for: parentheses, a cycle of
 * constants, names imported from a module the workspace lacks, `from . import NAME`, a settings class imported
 * from another module or decorated, and a settings instance it cannot read. Each test names the Stryker mutants
 * it kills (`npm run test:mutation -- python --mutate src/core/python/stringConstants.ts`).
 */
import assert from 'node:assert/strict';
import { children, requiredField } from '../../src/core/python/syntax';
import { resolveString } from '../../src/core/python/stringConstants';
import { PythonWorkspace } from '../../src/core/python/workspace';

const lines = (...all: string[]) => all.map((l) => `${l}\n`).join('');

/** resolveString of the value of `VALUE = ...` in `file` (the last module-level statement of that file). */
async function valueIn(record: Record<string, string>, file: string, lookupFile = file): Promise<string | undefined> {
  const workspace = new PythonWorkspace(new Map(Object.entries(record)));
  try {
    const analysis = (await workspace.module(file))!;
    const statement = children(analysis.root).at(-1)!;
    return await resolveString(workspace, lookupFile, requiredField(statement.firstNamedChild!, 'right'));
  } finally {
    workspace.dispose();
  }
}

describe('resolveString (mutation-tested)', () => {
  // Kills: the parenthesized branch (block -> {}: no value) and its depth (+ 1 -> - 1 is only slower, not
  // told apart; the cycle test below tells the guard).
  it('a parenthesized constant and a + of them', async () => {
    assert.equal(await valueIn({ 'a.py': lines('API = ("/api")', 'VALUE = (API) + "/v1"') }, 'a.py'), '/api/v1');
  });

  // Kills: both depth guards (`if (depth > MAX_DEPTH)` emptied: a cycle of constants, or of settings instances,
  // would recurse until the stack overflows).
  it('a cycle of constants or of settings instances is not known, not endless', async () => {
    assert.equal(await valueIn({ 'a.py': lines('A = B', 'B = A', 'VALUE = A') }, 'a.py'), undefined);
    const cycle = {
      'a.py': lines('from b import settings'),
      'b.py': lines('from a import settings'),
      'c.py': lines('from a import settings', 'VALUE = settings.PREFIX'),
    };
    assert.equal(await valueIn(cycle, 'c.py'), undefined);
  });

  // Kills: `if (!analysis)` emptied (a file the workspace lacks), `if (!found)` emptied in resolveName and
  // findInstance (a name imported from a module it lacks), and the callee check emptied (`config.Settings()`).
  it('names from modules the workspace lacks, and an instance not made by a plain constructor call, are not known', async () => {
    const record = { 'a.py': lines('from missing import PREFIX, settings', 'import config', 'other = config.Settings()', 'VALUE = PREFIX') };
    assert.equal(await valueIn(record, 'a.py'), undefined);
    assert.equal(await valueIn(record, 'a.py', 'elsewhere.py'), undefined);
    assert.equal(await valueIn({ ...record, 'b.py': lines('from a import settings, other', 'VALUE = settings.PREFIX') }, 'b.py'), undefined);
    assert.equal(await valueIn({ ...record, 'b.py': lines('from a import other', 'VALUE = other.PREFIX') }, 'b.py'), undefined);
    // Kills: findInstance's `if (!found)` emptied (a settings instance imported from a missing module), and
    // classBodyOf's `imported === undefined` -> false (a class neither defined nor imported).
    assert.equal(await valueIn({ 'x.py': lines('from missing import settings', 'VALUE = settings.PREFIX') }, 'x.py'), undefined);
    assert.equal(await valueIn({ 'y.py': lines('settings = Settings()', 'VALUE = settings.PREFIX') }, 'y.py'), undefined);
  });

  // Kills: importedDefinition's module name for `from . import NAME` ('' -> another string).
  it('from . import NAME reads the package __init__', async () => {
    const record = { 'pkg/__init__.py': 'PREFIX = "/p"\n', 'pkg/routes.py': lines('from . import PREFIX', 'VALUE = PREFIX') };
    assert.equal(await valueIn(record, 'pkg/routes.py'), '/p');
  });

  // Kills: classBodyOf's import branch (the class imported from another module: `imported === undefined`, both
  // sides of `found && found.file !== file`), a class that imports itself, and the decorated class ('definition' -> '').
  it('a settings class imported from another module, or decorated, gives its default', async () => {
    const record = {
      'config.py': lines('from pydantic_settings import BaseSettings', 'class Settings(BaseSettings):', '    PREFIX: str = "/from-config"'),
      'deco.py': lines('@decorator', 'class Settings:', '    PREFIX = "/decorated"'),
      'self.py': lines('from self import Settings', 'settings = Settings()', 'VALUE = settings.PREFIX'),
      'main.py': lines('from config import Settings', 'settings = Settings()', 'VALUE = settings.PREFIX'),
      'main2.py': lines('from deco import Settings', 'settings = Settings()', 'VALUE = settings.PREFIX'),
    };
    assert.equal(await valueIn(record, 'main.py'), '/from-config');
    assert.equal(await valueIn(record, 'main2.py'), '/decorated');
    assert.equal(await valueIn(record, 'self.py'), undefined);
  });
});
