import assert from 'node:assert/strict';
import { answers, firstServing, pathPattern, sampleRequestPath, type MatchableEntry } from '../../src/core/plan/routeMatching';

const route = (path: string, ...methods: string[]): MatchableEntry => ({ kind: 'route', path, methods: methods.length > 0 ? methods : ['GET'] });
const mount = (path: string): MatchableEntry => ({ kind: 'mount', path, methods: [] });

describe('route matching (Starlette order and patterns)', () => {
  // [existing entry, request method, request path, answers?] — Starlette 0.26 and 1.10 compile paths the same way.
  const table: Array<[MatchableEntry, string, string, boolean, string]> = [
    [route('/notes/{note_id}'), 'GET', '/notes/stream', true, 'a str parameter takes any segment'],
    [route('/items/{item_id}'), 'GET', '/items/stream', true, 'a UUID annotation does not change the pattern (the request then gets a 422)'],
    [route('/items/{item_id:uuid}'), 'GET', '/items/stream', false, 'the uuid converter matches UUIDs only'],
    [route('/items/{item_id:uuid}'), 'GET', '/items/0b9a3f2e-1c2d-4e5f-8a9b-0c1d2e3f4a5b', true, 'a UUID'],
    [route('/items/{item_id:int}'), 'GET', '/items/stream', false, 'the int converter matches digits only'],
    [route('/items/{item_id:int}'), 'GET', '/items/42', true, 'digits'],
    [route('/items/{price:float}'), 'GET', '/items/4.5', true, 'a float'],
    [route('/files/{rest:path}'), 'GET', '/files/a/b/stream', true, 'a path parameter crosses slashes'],
    [route('/{item_id}'), 'GET', '/stream', true, 'a root parameter route takes every one-segment path'],
    [route('/{item_id}'), 'GET', '/chat/stream', false, 'but not two segments'],
    [route('/notes/{note_id}', 'DELETE'), 'GET', '/notes/stream', false, 'another method is only a partial match: the search goes on'],
    [route('/notes/{note_id}', 'GET'), 'HEAD', '/notes/stream', true, 'GET routes answer HEAD'],
    [route('/notes/{note_id}', 'WEBSOCKET'), 'GET', '/notes/stream', false, 'a websocket route never answers HTTP'],
    [route('/notes.json'), 'GET', '/notesxjson', false, 'a dot in a path is a dot'],
    [mount('/'), 'POST', '/stream', true, 'a root mount takes everything, whatever the method'],
    [mount('/static'), 'GET', '/static/app.js', true, 'a mount takes what lies under it'],
    [mount('/static'), 'GET', '/static', false, 'but not its own path without a slash (Starlette redirects that)'],
    [mount('/static'), 'GET', '/staticky/x', false, 'nor a longer segment'],
    [mount('/api/'), 'GET', '/api/stream', true, 'a trailing slash on the mount path is dropped, as Mount does'],
  ];
  for (const [entry, method, path, expected, why] of table) {
    it(`${entry.kind} ${entry.path} ${expected ? 'answers' : 'does not answer'} ${method} ${path}: ${why}`, () => {
      assert.equal(answers(entry, path, method), expected);
    });
  }

  it('compiles a path the way compile_path does: parameters by converter, the rest literal, anchored', () => {
    assert.equal(pathPattern('/a/{x}/b').source, '^\\/a\\/(?:[^/]+)\\/b$');
    assert.equal(pathPattern('/a/{x}/b').test('/a/1/b/c'), false);
  });

  it("turns a new route's own pattern into a request it answers", () => {
    assert.equal(sampleRequestPath('/chat/{session_id}/stream'), '/chat/catalyst-sample/stream');
    assert.ok(pathPattern('/chat/{session_id}/stream').test(sampleRequestPath('/chat/{session_id}/stream')));
    // A new /chat/{id}/stream is answered first by an existing /chat/{a}/{b}.
    assert.ok(answers(route('/chat/{a}/{b}'), sampleRequestPath('/chat/{session_id}/stream'), 'GET'));
  });

  it('the first entry that answers wins, in order', () => {
    const entries = [route('/notes', 'GET'), route('/notes/{id}', 'DELETE'), route('/notes/stream'), route('/notes/{id}')];
    assert.equal(firstServing(entries, '/notes/stream', 'GET'), entries[2]);
    assert.equal(firstServing(entries, '/notes/7', 'GET'), entries[3]);
    assert.equal(firstServing([mount('/'), ...entries], '/notes/7', 'GET')?.kind, 'mount');
    assert.equal(firstServing(entries, '/other', 'GET'), undefined);
  });
});
