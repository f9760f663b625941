/**
 * Text edits and route paths at their edges: edits out of order, overlapping or past the end; offsets mapped back
 * through edits; route paths with a parameter inside a segment or a reserved name. Each test names the Stryker
 * mutants it kills (`npm run test:mutation -- plan`).
 */
import assert from 'node:assert/strict';
import { answers, pathPattern, sampleRequestPath } from '../../src/core/plan/routeMatching';
import { pathParameters, handlerNameFor, uniqueName, validateRoutePath, bodyModelNameFor } from '../../src/core/plan/routePath';
import { applyTextEdits, coalesceTextEdits, originalOffset, positionAt, type TextEdit } from '../../src/core/workspace/textEdit';

const edit = (start: number, end: number, newText: string): TextEdit => ({ start, end, newText });

describe('applyTextEdits edges (mutation-tested)', () => {
  // Kills: the sort removed or reversed (`a.start - b.start`), and its `a.end - b.end` tie-break removed (an
  // insertion given after a replacement at the same offset would then be refused as overlapping).
  it('applies edits given in any order, an insertion before a replacement at the same offset', () => {
    assert.equal(applyTextEdits('abcdef', [edit(4, 5, 'E'), edit(0, 1, 'A'), edit(2, 2, '+')]), 'Ab+cdEf');
    assert.equal(applyTextEdits('abcdef', [edit(2, 4, 'CD'), edit(2, 2, '+')]), 'ab+CDef');
  });

  // Kills: `edit.start < cursor` replaced by `false` or `<=` (touching edits refused), `edit.end < edit.start`
  // replaced by `false`, `edit.end > text.length` replaced by `false` or `>=` (an insertion at the very end refused).
  it('refuses overlapping, backwards and past-the-end edits; accepts touching ones and one at the very end', () => {
    for (const edits of [[edit(0, 3, 'x'), edit(2, 4, 'y')], [edit(3, 2, 'x')], [edit(5, 7, 'x')], [edit(7, 7, 'x')]]) {
      assert.throws(() => applyTextEdits('abcdef', edits), RangeError, JSON.stringify(edits));
    }
    assert.throws(() => applyTextEdits('abcdef', [edit(5, 7, 'x')]), { message: 'overlapping or out-of-range edit [5, 7)' });
    assert.equal(applyTextEdits('abcdef', [edit(0, 3, 'x'), edit(3, 6, 'y')]), 'xy');
    assert.equal(applyTextEdits('abcdef', [edit(6, 6, '!')]), 'abcdef!');
  });
});

describe('originalOffset, positionAt, coalesceTextEdits (mutation-tested)', () => {
  // Kills: originalOffset's sort removed, `editedOffset < editedStart` turned into `<=`, the inserted-text range
  // check (`< editedStart + newText.length`) turned into `<=`, and the shift arithmetic.
  it('maps an edited offset back to the original text', () => {
    // 'abcdef' -> 'XXabc' + 'def' with 'cd' replaced by 'Z': edits [0,0)'XX' and [2,4)'Z' -> 'XXabZef'
    const edits = [edit(2, 4, 'Z'), edit(0, 0, 'XX')];
    assert.equal(applyTextEdits('abcdef', edits), 'XXabZef');
    const mapped = [...'XXabZef'].map((_, at) => originalOffset(edits, at));
    assert.deepEqual(mapped, [0, 0, 0, 1, 2, 4, 5]);
    assert.equal(originalOffset(edits, 7), 6, 'the end maps to the end');
    assert.equal(originalOffset([], 3), 3);
    // Kills: `editedOffset < editedStart` turned into `<=`: right after a deletion is where the deleted text ended.
    assert.equal(originalOffset([edit(2, 4, '')], 2), 4);
  });

  // Kills: `i < offset` turned into `<=` (an offset on a newline counted on the next line), and `lineStart = i + 1`.
  it('positionAt: a newline belongs to its own line', () => {
    assert.deepEqual(positionAt('ab\ncd\n', 2), { line: 0, character: 2 });
    assert.deepEqual(positionAt('ab\ncd\n', 3), { line: 1, character: 0 });
    assert.deepEqual(positionAt('ab\ncd\n', 6), { line: 2, character: 0 });
    assert.deepEqual(positionAt('abc', 2), { line: 0, character: 2 });
    // Kills: `i >= 0` turned into `i > 0`: a newline at offset 0.
    assert.deepEqual(positionAt('\nab', 2), { line: 1, character: 1 });
  });

  // Kills: coalescing's conditions (`previous.end === edit.start`, either side an insertion) loosened to join
  // two touching replacements or edits that do not touch, and the index tie-break that keeps insertion order.
  it('coalesceTextEdits joins only touching edits where one is an insertion, keeping insertion order', () => {
    assert.deepEqual(coalesceTextEdits([edit(3, 3, 'b'), edit(3, 3, 'a'), edit(1, 3, 'R')]), [edit(1, 3, 'Rba')]);
    assert.deepEqual(coalesceTextEdits([edit(3, 5, 'R'), edit(3, 3, 'i')]), [edit(3, 5, 'iR')]);
    assert.deepEqual(coalesceTextEdits([edit(0, 2, 'A'), edit(2, 4, 'B')]), [edit(0, 2, 'A'), edit(2, 4, 'B')], 'two replacements stay apart');
    assert.deepEqual(coalesceTextEdits([edit(0, 0, 'A'), edit(1, 1, 'B')]), [edit(0, 0, 'A'), edit(1, 1, 'B')], 'not touching');
    assert.deepEqual(coalesceTextEdits([edit(5, 6, 'x'), edit(0, 1, 'y')]), [edit(0, 1, 'y'), edit(5, 6, 'x')], 'sorted');
  });
});

describe('route path validation edges (mutation-tested)', () => {
  // Kills: PARAMETER's `^` / `$` anchors removed (`v{id}`, `{id}.json` taken as parameters), SEGMENT's anchors
  // removed, and RESERVED_PARAMETERS' 'body' emptied.
  it('refuses a parameter inside a segment, a stray brace, and the reserved {body}', () => {
    for (const route of ['/v{id}', '/{id}.json', '/{id}x/stream', '/a{', '/}b', '/x/{id']) {
      assert.match(validateRoutePath(route) ?? 'valid', /is not a valid path segment/, route);
    }
    assert.equal(validateRoutePath('/{body}'), 'path parameter {body} cannot be used: the endpoint uses that name for its own parameter');
    assert.equal(validateRoutePath('/{match}'), 'path parameter {match} cannot be used: it is a Python keyword');
    assert.deepEqual(pathParameters('/v{id}/{id}.json/{ok}'), ['ok']);
  });

  // Kills: `route.length > 200` turned into `>=`, the trailing-slash exception (`index === segments.length - 1`),
  // and the early `route === '/'` answer.
  it('accepts exactly 200 characters, one trailing slash, and the root', () => {
    assert.equal(validateRoutePath(`/${'a'.repeat(199)}`), undefined);
    assert.match(validateRoutePath(`/${'a'.repeat(200)}`) ?? 'valid', /at most 200/);
    assert.equal(validateRoutePath('/a/'), undefined);
    assert.equal(validateRoutePath('/'), undefined);
    assert.equal(validateRoutePath('//'), '"//" has an empty segment ("//")');
    assert.equal(validateRoutePath('/a//'), '"/a//" has an empty segment ("//")');
    assert.equal(validateRoutePath('stream'), 'a route path starts with "/" (got "stream")');
    assert.equal(validateRoutePath('/{a}/{a:path}'), 'path parameter {a} appears twice');
  });

  // Kills: handlerNameFor's lower-casing, its runs of other characters collapsed to one `_` (`+` dropped), the
  // trim of edge underscores, `^[0-9]` anchoring; bodyModelNameFor skipping empty words; uniqueName's counting.
  it('derives Python names from odd segments', () => {
    assert.equal(handlerNameFor('/Chat--Room/_x_/{id}/.well~known'), 'chat_room_x_well_known');
    assert.equal(handlerNameFor('/a1/stream'), 'a1_stream');
    assert.equal(handlerNameFor('/{id}'), 'stream');
    assert.equal(handlerNameFor('/_/-'), 'stream');
    // Kills: the trim's `_+` on either side (`^_` or `_$` would leave one underscore).
    assert.equal(handlerNameFor('/__x__'), 'x');
    assert.equal(bodyModelNameFor('chat__stream_'), 'ChatStreamRequest');
    const taken = new Set(['stream', 'stream_2', 'stream_3']);
    assert.equal(
      uniqueName('stream', (name) => taken.has(name)),
      'stream_4',
    );
    assert.equal(
      uniqueName('chat', (name) => taken.has(name)),
      'chat',
    );
  });
});

describe('route matching edges (mutation-tested)', () => {
  // Kills: each converter pattern in CONVERTER_PATTERNS altered or emptied (int, float's optional fraction, uuid's
  // lower-case hex groups, path's `.*`), the unknown-converter fallback to str.
  it('matches each converter exactly as Starlette does', () => {
    const matches = (path: string, request: string) => pathPattern(path).test(request);
    assert.deepEqual(
      ['/i/42', '/i/4x', '/i/'].map((r) => matches('/i/{n:int}', r)),
      [true, false, false],
    );
    assert.deepEqual(
      ['/f/4', '/f/4.5', '/f/4.', '/f/.5', '/f/4a5'].map((r) => matches('/f/{x:float}', r)),
      [true, true, false, false, false],
    );
    const uuid = '0b9a3f2e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
    assert.deepEqual(
      [uuid, uuid.toUpperCase(), uuid.slice(1), `${uuid}0`].map((r) => matches('/u/{id:uuid}', `/u/${r}`)),
      [true, false, false, false],
    );
    assert.deepEqual(
      ['/p/', '/p/a/b', '/q/a'].map((r) => matches('/p/{rest:path}', r)),
      [true, true, false],
    );
    assert.deepEqual(
      ['/s/a', '/s/a/b', '/s/'].map((r) => matches('/s/{x:unknown}', r)),
      [true, false, false],
    );
  });

  // Kills: parameters()'s name check (`^[a-zA-Z_][a-zA-Z0-9_]*$` unanchored or loosened), the unclosed-brace
  // stop, the next search starting after the brace, and escapeRegExp's character class.
  it('takes only well-formed {name} as a parameter; everything else is literal', () => {
    assert.equal(pathPattern('/a/{1x}/b').test('/a/{1x}/b'), true);
    assert.equal(pathPattern('/a/{1x}/b').test('/a/zz/b'), false);
    assert.equal(pathPattern('/a/{x-y}').test('/a/zz'), false);
    assert.equal(pathPattern('/a/{open').test('/a/{open'), true);
    assert.equal(pathPattern('/{a}/{b}').source, '^\\/(?:[^/]+)\\/(?:[^/]+)$');
    const literal = '/a.b*c+d?e^f$g{h}i(j)k|l[m]n\\o';
    assert.equal(pathPattern(literal).test(literal), true);
    assert.equal(pathPattern('/a.b').test('/axb'), false);
    // Kills: the search for `{` from offset 0 (`start >= 0` -> `> 0`) and the next search for `{` only.
    assert.equal(pathPattern('{a}/b').test('zz/b'), true);
    assert.equal(pathPattern('/{x}/y}').test('/1/y}'), true);
    assert.equal(sampleRequestPath('/i/{id:int}/{p:path}/{x}/{1y}'), '/i/1/catalyst-sample/catalyst-sample/{1y}');
  });

  // Kills: the mount path's trailing-slash trim (`/\/+$/` -> `/\/$/`), and HEAD added to routes without GET.
  it('a mount path loses every trailing slash; only a GET route answers HEAD', () => {
    assert.equal(answers({ kind: 'mount', path: '/api//', methods: [] }, '/api/x', 'GET'), true);
    assert.equal(answers({ kind: 'route', path: '/x', methods: ['POST'] }, '/x', 'HEAD'), false);
    assert.equal(answers({ kind: 'route', path: '/x', methods: ['POST'] }, '/x', 'POST'), true);
  });
});
