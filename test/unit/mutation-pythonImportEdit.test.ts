// Cases for python/importEdit.ts that its mutation run (npm run test:mutation -- python --mutate
// src/core/python/importEdit.ts) found untested: each names the line of the mutant it kills.
import assert from 'node:assert/strict';
import { analyzePythonModule } from '../../src/core/python/analysis';
import { moduleImportedAs, planImports, type ImportPlanOptions, type ImportRequest } from '../../src/core/python/importEdit';
import { applyTextEdits } from '../../src/core/workspace/textEdit';

async function addImports(source: string, requests: readonly ImportRequest[], options?: ImportPlanOptions) {
  const analysis = await analyzePythonModule(source);
  try {
    const plan = planImports(analysis, requests, options);
    return { text: applyTextEdits(source, plan.edits), conflicts: plan.conflicts };
  } finally {
    analysis.dispose();
  }
}

function lines(...all: string[]): string {
  return all.map((l) => `${l}\n`).join('');
}

describe('planImports: the cases its mutation run found untested', () => {
  it('merges requests for one module into one statement, and keeps `import m` apart from `from m import`', async () => {
    // 137-141 (the request key, the names of earlier requests kept).
    const { text } = await addImports(lines('x = 1'), [{ module: 'os', names: ['sep'] }, { module: 'os' }, { module: 'os', names: ['getcwd', 'sep'] }]);
    assert.equal(text, lines('import os', 'from os import getcwd, sep', '', 'x = 1'));
  });

  it('knows a name imported from the package itself (`from . import x`) and `import a.b` as bound to `a`', async () => {
    // 87 (a module ending in '.'), 73-75 (`import a.b` binds `a`).
    const { text, conflicts } = await addImports(lines('from . import streaming', 'import os.path'), [
      { module: '.', names: ['streaming'] },
      { module: 'os.path' },
    ]);
    assert.equal(text, lines('from . import streaming', 'import os.path'));
    assert.deepEqual(conflicts, []);
  });

  it('does not merge into a wildcard import or an import inside a function', async () => {
    // 101 (!s.wildcard, s.topLevel, kind === 'from').
    const source = lines('from fastapi import *', '', '', 'def f():', '    from fastapi import Query', '    return Query');
    const { text } = await addImports(source, [{ module: 'fastapi', names: ['Depends'] }]);
    assert.equal(text, lines('from fastapi import *', 'from fastapi import Depends', '', '', 'def f():', '    from fastapi import Query', '    return Query'));
  });

  it('puts __future__ first, and orders names CONSTANTS, Classes, functions (a one-letter capital is a class)', async () => {
    // 148 (the future section), 168 (name.length > 1, the rank).
    const { text } = await addImports(lines('import os'), [
      { module: 'typing', names: ['cast', 'T', 'TYPE_CHECKING', 'Any'] },
      { module: '__future__', names: ['annotations'] },
    ]);
    assert.equal(text, lines('from __future__ import annotations', '', 'import os', 'from typing import TYPE_CHECKING, Any, T, cast'));
  });

  it('keeps a line exactly as long as the limit on one line, wraps one character longer', async () => {
    // 186 (length <= lineLength).
    const fits = await addImports(lines('x = 1'), [{ module: 'abc', names: ['ABC'] }], { lineLength: 'from abc import ABC'.length });
    assert.equal(fits.text, lines('from abc import ABC', '', 'x = 1'));
    const wraps = await addImports(lines('x = 1'), [{ module: 'abc', names: ['ABC'] }], { lineLength: 'from abc import ABC'.length - 1 });
    assert.equal(wraps.text, lines('from abc import (', '    ABC,', ')', '', 'x = 1'));
  });

  it('adds to a statement of packed names with comments without touching them, before and after its neighbours', async () => {
    // 217-262 (the comment path: a name inserted before a neighbour, and after the last).
    const source = lines('from fastapi import (Depends, Path,  # auth', '    Query)');
    const { text } = await addImports(source, [{ module: 'fastapi', names: ['Body', 'Response'] }]);
    assert.equal(text, lines('from fastapi import (Body, Depends, Path,  # auth', '    Query, Response)'));
  });

  it('adds before a first name that shares the `from` row, one name per row after it, inside the statement', async () => {
    // The one-per-row path inserted `    Body,` above the `from` line itself: broken Python.
    const withComment = await addImports(lines('from fastapi import (Depends,  # auth', '    Query)'), [{ module: 'fastapi', names: ['Body'] }]);
    assert.equal(withComment.text, lines('from fastapi import (Body, Depends,  # auth', '    Query)'));
    const trailingComma = await addImports(lines('from fastapi import (Depends,', '    Query,', ')'), [{ module: 'fastapi', names: ['Body'] }]);
    assert.ok(trailingComma.text.startsWith('from fastapi import ('), trailingComma.text);
    assert.match(trailingComma.text, /Body,[\s\S]*Depends,[\s\S]*Query/);
  });

  it('appends to a file without a final newline, and to an unsorted section after its last statement', async () => {
    // 268-270 (nextLineStart at the end), 327 (the missing final newline).
    const { text } = await addImports('import sys\nimport os', [{ module: 'json' }]);
    assert.equal(text, 'import sys\nimport os\nimport json\n');
  });

  it('inserts a first import above code with a blank line, but not a second one above a blank line', async () => {
    // 342 (the blank line after a new first import only when the next line is not blank).
    const { text } = await addImports(lines('"""Doc."""', '', 'x = 1'), [{ module: 'json' }]);
    assert.equal(text, lines('"""Doc."""', 'import json', '', 'x = 1'));
  });

  it('reads a module docstring only as the first statement', async () => {
    // 369-373 (docstringAllowed: a second string is code).
    const { text } = await addImports(lines('# header', '"""Doc."""', '"""Not a docstring."""'), [{ module: 'json' }]);
    assert.equal(text, lines('# header', '"""Doc."""', 'import json', '', '"""Not a docstring."""'));
  });

  it('places a section with no neighbours above a higher one, with a blank line between them', async () => {
    // 302-309 (no same or lower section: before the first higher one).
    const { text } = await addImports(lines('from .db import get_db'), [{ module: 'json' }]);
    assert.equal(text, lines('import json', '', 'from .db import get_db'));
  });

  it('names the variable a module is imported as', async () => {
    const analysis = await analyzePythonModule(lines('import pydantic as pd', 'import os'));
    try {
      assert.equal(moduleImportedAs(analysis, 'pydantic'), 'pd');
      assert.equal(moduleImportedAs(analysis, 'json'), undefined);
    } finally {
      analysis.dispose();
    }
  });
});
