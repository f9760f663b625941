/**
 * The escaping functions of generated code, each checked by the real parser of its language with hostile
 * values: Python's own `ast` (one python3 process per test), JavaScript through Node's vm, the URL through
 * WHATWG URL, the shell word through sh.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import vm from 'node:vm';
import { HOSTILE_VALUES } from '../support/hostileValues';
import { commentText, jsString, pythonString, pythonStringBody, shellWord, urlPath, visibleText } from '../../src/core/codegen/escape';

/** Runs a Python program that reads JSON on stdin; its stdout parsed as JSON. */
function python(program: string, input: unknown): unknown {
  return JSON.parse(execFileSync('python3', ['-c', program], { input: JSON.stringify(input), encoding: 'utf8' })) as unknown;
}

/** Values compared as code points: a lone surrogate cannot cross UTF-8, and Python counts it as one. */
const codePoints = (value: string): number[] => [...value].map((ch) => ch.codePointAt(0)!);

describe('escaping values placed in generated code', function () {
  it('a Python string literal parses back to the value, alone and inside a docstring', function () {
    const program = `
import ast, json, sys
values = json.load(sys.stdin)
out = []
for literal, body in values:
    value = ast.literal_eval(literal)
    tree = ast.parse('def f():\\n    """Doc ' + body + ' end."""\\n')
    doc = tree.body[0].body[0].value.value
    out.append([[ord(c) for c in value], [ord(c) for c in doc]])
print(json.dumps(out))`;
    const results = python(
      program,
      HOSTILE_VALUES.map((v) => [pythonString(v), pythonStringBody(v)]),
    ) as Array<[number[], number[]]>;
    HOSTILE_VALUES.forEach((value, i) => {
      const [literal, doc] = results[i]!;
      assert.deepEqual(literal, codePoints(value), JSON.stringify(value));
      assert.deepEqual(doc, codePoints(`Doc ${value} end.`), JSON.stringify(value));
    });
    assert.equal(pythonString('/a"""b'), '"/a\\"\\"\\"b"');
    assert.equal(pythonString('café'), '"café"', 'printable non-ASCII stays readable');
  });

  it('a JavaScript string literal evaluates to the value and holds no raw line terminator, control or "<"', function () {
    for (const value of HOSTILE_VALUES) {
      const literal = jsString(value);
      assert.deepEqual(codePoints(vm.runInNewContext(literal) as string), codePoints(value), literal);
      assert.doesNotMatch(literal, /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069<]/u, literal);
    }
  });

  it('comment text stays one comment line in JavaScript and Python, and cannot close a block comment or a <script>', function () {
    const program = `
import ast, json, sys
out = []
for text in json.load(sys.stdin):
    tree = ast.parse("# " + text + "\\nx = 1\\n")
    out.append(len(tree.body))
print(json.dumps(out))`;
    const texts = HOSTILE_VALUES.map(commentText);
    assert.deepEqual(
      python(program, texts),
      texts.map(() => 1),
    );
    for (const text of texts) {
      assert.equal(vm.runInNewContext(`// ${text}\n42`), 42, text);
      assert.equal(vm.runInNewContext(`/* ${text} */ 43`), 43, text);
      assert.doesNotMatch(text, /<\/script|<!--/i);
    }
    assert.equal(commentText('/api/chat'), '/api/chat', 'an ordinary path reads as it is');
  });

  it('a URL path: the server decodes exactly the route path, and nothing becomes a query or a fragment', function () {
    for (const value of HOSTILE_VALUES.filter((v) => !/\ud800/.test(v)).map((v) => `/x/${v}`)) {
      const url = new URL(`http://127.0.0.1:8000${urlPath(value)}`);
      assert.equal(url.search + url.hash, '', value);
      assert.equal(decodeURIComponent(url.pathname), value);
    }
    assert.equal(urlPath('/items/{item_id}/chat'), '/items/{item_id}/chat');
    assert.equal(urlPath('/a b?c#d%e'), '/a%20b%3Fc%23d%25e');
  });

  it('a shell word is the value for sh, and a value with a line ending or control has none', function () {
    for (const value of HOSTILE_VALUES) {
      const word = shellWord(value);
      if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202e\u2066\u2069\u200b\ud800]/.test(value)) {
        assert.equal(word, undefined, JSON.stringify(value));
        continue;
      }
      assert.ok(word !== undefined);
      assert.equal(execFileSync('sh', ['-c', `printf %s ${word}`], { encoding: 'utf8' }), value);
    }
    assert.equal(shellWord('http://127.0.0.1:8000/api/chat'), 'http://127.0.0.1:8000/api/chat');
  });

  it('visible text (a value echoed in a message) has no control, format or line-ending character left', function () {
    for (const value of HOSTILE_VALUES) {
      const shown = visibleText(value);
      assert.doesNotMatch(shown, /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u, JSON.stringify(value));
    }
    assert.equal(visibleText('café \u202eevil\u001b[2J\n'), 'café \\u202eevil\\x1b[2J\\n');
  });
});
