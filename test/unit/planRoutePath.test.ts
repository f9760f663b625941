import assert from 'node:assert/strict';
import { insertBlocks, reindent } from '../../src/core/plan/pythonLayout';
import { bodyModelNameFor, handlerNameFor, pathParameters, uniqueName, validateRoutePath } from '../../src/core/plan/routePath';
import { applyTextEdits, coalesceTextEdits, positionAt } from '../../src/core/workspace/textEdit';
import { parseTokenSource } from '../../src/core/plan/tokenSource';

describe('route paths', () => {
  it('accepts ordinary paths, trailing slashes and {parameters}', () => {
    for (const route of ['/', '/stream', '/v1/chat/stream/', '/items/{item_id}/stream', '/files/{file_path:path}', '/a-b_c.d~e']) {
      assert.equal(validateRoutePath(route), undefined, route);
    }
  });

  it('says what is wrong with a bad path', () => {
    const cases: Array<[string, RegExp]> = [
      ['stream', /starts with "\/"/],
      ['', /starts with "\/"/],
      ['/a//b', /empty segment/],
      ['/a b', /"a b" is not a valid path segment/],
      ['/stream?x=1', /not a valid path segment/],
      ['/{id}/{id}', /appears twice/],
      ['/{class}', /Python keyword/],
      ['/{prompt}', /uses that name for its own parameter/],
      ['/{1x}', /not a valid path segment/],
      [`/${'a'.repeat(250)}`, /at most 200/],
    ];
    for (const [route, message] of cases) {
      assert.match(validateRoutePath(route) ?? 'valid', message, route);
    }
  });

  it('refuses dot segments, plain or percent-encoded, which clients remove before sending', () => {
    for (const route of ['/a/../b', '/a/./b', '/..', '/a/.', '/a/%2e%2e/b', '/a/%2E/b', '/a/.%2e/b']) {
      assert.match(validateRoutePath(route) ?? 'valid', /has a dot segment \(".*"\): clients remove it before sending/, route);
    }
    for (const route of ['/a/.well-known', '/a/...', '/v1.2/x', '/.hidden']) {
      assert.equal(validateRoutePath(route), undefined, route);
    }
  });

  it('echoes a refused route with its control and bidi characters escaped', () => {
    const message = validateRoutePath('/a\u202eb\u001b[2J\u200b\n') ?? 'valid';
    assert.equal(message, '"a\\u202eb\\x1b[2J\\u200b\\n" is not a valid path segment: use letters, digits, "-", "_", ".", "~", or a {parameter}');
    assert.equal(validateRoutePath('x\u2067y\r'), 'a route path starts with "/" (got "x\\u2067y\\r")');
    assert.doesNotMatch(validateRoutePath('/a/../\u202e') ?? '', /[\u202e]/u);
  });

  it('derives parameters and Python names', () => {
    assert.deepEqual(pathParameters('/chat/{room}/x/{path:path}'), ['room', 'path']);
    assert.equal(handlerNameFor('/chat/{room}/stream'), 'chat_stream');
    assert.equal(handlerNameFor('/'), 'stream');
    assert.equal(handlerNameFor('/v1/Tokens.live'), 'v1_tokens_live');
    assert.equal(handlerNameFor('/2024/stream'), 'stream_2024_stream');
    assert.equal(handlerNameFor('/import'), 'import_');
    assert.equal(bodyModelNameFor('chat_stream'), 'ChatStreamRequest');
    assert.equal(
      uniqueName('stream', (n) => ['stream', 'stream_2'].includes(n)),
      'stream_3',
    );
  });

  it('parses --source values', () => {
    assert.deepEqual(parseTokenSource('demo'), { kind: 'demo' });
    assert.deepEqual(parseTokenSource('groq'), { kind: 'sdk', provider: 'groq' });
    assert.deepEqual(parseTokenSource('my_tokens'), { kind: 'function', name: 'my_tokens' });
    assert.equal(parseTokenSource('not-a-name'), undefined);
    assert.equal(parseTokenSource('pkg.tokens'), undefined);
  });
});

describe('layout helpers', () => {
  it('re-indents four-space text to tabs or a deeper base, leaving blank lines empty', () => {
    assert.equal(reindent('def f():\n    if x:\n        pass\n\n    return 1\n', '\t'), 'def f():\n\tif x:\n\t\tpass\n\n\treturn 1\n');
    assert.equal(reindent('def f():\n    pass', '  ', '    '), '    def f():\n      pass');
  });

  it('inserts with PEP 8 blank lines, counting the ones already there and touching no other text', () => {
    const source = 'import os\n\n\nx = 1\n';
    const edit = insertBlocks(source, source.length, ['def f():\n    pass\n'], { eol: '\n', blankLines: 2 });
    assert.equal(applyTextEdits(source, [edit]), 'import os\n\n\nx = 1\n\n\ndef f():\n    pass\n');
    assert.equal(edit.start, edit.end, 'a pure insertion');
    const before = 'x = 1\nif __name__ == "__main__":\n    pass';
    const atMain = insertBlocks(before, before.indexOf('if'), ['def f():\n    pass', 'def g():\n    pass'], { eol: '\r\n', blankLines: 2 });
    assert.equal(
      applyTextEdits(before, [atMain]),
      'x = 1\n\r\n\r\ndef f():\r\n    pass\r\n\r\n\r\ndef g():\r\n    pass\r\n\r\n\r\nif __name__ == "__main__":\n    pass',
    );
    const noFinalNewline = 'x = 1';
    assert.equal(applyTextEdits(noFinalNewline, [insertBlocks(noFinalNewline, 5, ['y = 2'], { eol: '\n', blankLines: 1 })]), 'x = 1\n\ny = 2\n');
  });

  it('applies, coalesces and locates text edits', () => {
    const text = 'abcdef';
    const edits = coalesceTextEdits([
      { start: 2, end: 4, newText: 'X' },
      { start: 2, end: 2, newText: '1' },
      { start: 2, end: 2, newText: '2' },
      { start: 4, end: 4, newText: 'Y' },
    ]);
    assert.deepEqual(edits, [{ start: 2, end: 4, newText: '12XY' }]);
    assert.equal(applyTextEdits(text, edits), 'ab12XYef');
    assert.throws(
      () =>
        applyTextEdits(text, [
          { start: 1, end: 3, newText: '' },
          { start: 2, end: 4, newText: '' },
        ]),
      /overlapping/,
    );
    assert.deepEqual(positionAt('a\nbc\nd', 4), { line: 1, character: 2 });
  });
});
