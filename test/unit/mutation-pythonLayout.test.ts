/**
 * layout.ts (src/core/python): the indentation unit, the main guard in its spellings, and the comment lines that
 * belong to a statement. Each test names the Stryker mutants it kills
 * (`npm run test:mutation -- python --mutate src/core/python/layout.ts`).
 */
import assert from 'node:assert/strict';
import { detectIndentUnit, isMainGuard, leadingCommentsStart } from '../../src/core/python/layout';
import { parsePython } from '../../src/core/python/parser';

async function withRoot<T>(source: string, body: (root: Awaited<ReturnType<typeof parsePython>>['rootNode']) => T): Promise<T> {
  const tree = await parsePython(source);
  try {
    return body(tree.rootNode);
  } finally {
    tree.delete();
  }
}

describe('python layout (mutation-tested)', () => {
  // Kills: the indent regex anchors (`/[ \t]+$/`, `/^[ \t]+/`: a one-line body's "def f(): " is no indent), the
  // same-row check (-> false), `indent.length > parentIndent.length` (-> true) and the tab unit.
  it('the first block on a line of its own gives the unit', async () => {
    assert.equal(await withRoot('def f(): pass\nclass C:\n  x = 1\n', (root) => detectIndentUnit(root, 'def f(): pass\nclass C:\n  x = 1\n')), '  ');
    const tabs = 'class C:\n\tdef f(self):\n\t\treturn 1\n';
    assert.equal(await withRoot(tabs, (root) => detectIndentUnit(root, tabs)), '\t');
    const none = 'x = 1\ndef f(): return 2\n';
    assert.equal(await withRoot(none, (root) => detectIndentUnit(root, none)), '    ');
  });

  // Kills: `child.type === 'block'` -> true (a call's arguments on the next line would give the unit).
  it('only blocks tell: arguments continued on the next line do not', async () => {
    const source = 'foo(\n  a)\ndef f():\n    pass\n';
    assert.equal(await withRoot(source, (root) => detectIndentUnit(root, source)), '    ');
  });

  // Kills: isMainGuard's checks (`!== 'if_statement'`, the comparison and '==' checks, two operands, `__name__`
  // as an identifier, `stringValue(o) === '__main__'`: each -> true / false, `&&` -> `||`).
  it('the main guard in either order, and what is not one', async () => {
    const guards = [
      'if __name__ == "__main__":\n    pass\n',
      "if '__main__' == __name__:\n    pass\n",
      'if __name__ != "__main__":\n    pass\n',
      'if __name__ == "x":\n    pass\n',
      'if name == "__main__":\n    pass\n',
      'if "__name__" == "__main__":\n    pass\n',
      'if __name__ == "__main__" == y:\n    pass\n',
      'if __name__:\n    pass\n',
      'while __name__ == "__main__":\n    pass\n',
    ];
    const seen: boolean[] = [];
    for (const source of guards) seen.push(await withRoot(source, (root) => isMainGuard(root.firstNamedChild!)));
    assert.deepEqual(seen, [true, true, false, false, false, false, false, false, false]);
  });

  // Kills: leadingCommentsStart's row check (a blank line between) and column check (a trailing comment) -> true.
  it('comment lines right above a statement belong to it; not across a blank line, not a trailing comment', async () => {
    const source = '# far\n\n# a\n# b\nx = 1  # trailing\ny = 2\n';
    const [x, y] = await withRoot(source, (root) => {
      const statements = root.namedChildren.filter((n) => n?.type === 'expression_statement');
      return statements.map((s) => leadingCommentsStart(s!));
    });
    assert.equal(x, source.indexOf('# a'));
    assert.equal(y, source.indexOf('y = 2'));
  });
});
