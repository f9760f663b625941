/** `.http` files: reading (requests, comments, variables), writing a preview request (secrets as variables), history. */
import assert from 'node:assert/strict';
import { parseHttpFile, requestAtLine, resolveHttpRequest } from '../../src/core/requests/httpFile';
import { appendHttpEntry, httpFileEntry } from '../../src/core/requests/httpFileEntry';
import { readHistory, recentRequests, remember, routeKey, withCurrentSecrets, HISTORY_PER_ROUTE } from '../../src/core/requests/requestHistory';
import type { StreamRequest } from '../../src/protocol/stream';

const FILE = `@host = http://127.0.0.1:8000
@chat = {{host}}/api/chat
# A comment before the first request
// and another

### Ask the chat route
POST {{chat}} HTTP/1.1
Content-Type: application/json
# a comment among the headers
Authorization: Bearer {{token}}

{
  "messages": [{"role": "user", "content": "Hi {{who}}"}]
}


###
# @name tokens
GET {{host}}/stream
  ?prompt=hello
  &n=3

### Bare URL, no headers
http://127.0.0.1:8000/plain
###
// only comments in this block
`;

describe('.http files', () => {
  describe('parseHttpFile', () => {
    it('reads every request with its name, method, URL, headers and body, skipping comments', () => {
      const file = parseHttpFile(FILE);
      assert.deepEqual(
        [...file.variables],
        [
          ['host', 'http://127.0.0.1:8000'],
          ['chat', '{{host}}/api/chat'],
        ],
      );
      assert.deepEqual(file.requests, [
        {
          name: 'Ask the chat route',
          method: 'POST',
          url: '{{chat}}',
          headers: [
            ['Content-Type', 'application/json'],
            ['Authorization', 'Bearer {{token}}'],
          ],
          body: '{\n  "messages": [{"role": "user", "content": "Hi {{who}}"}]\n}',
          line: 6,
        },
        { name: 'tokens', method: 'GET', url: '{{host}}/stream?prompt=hello&n=3', headers: [], body: undefined, line: 18 },
        { name: 'Bare URL, no headers', method: 'GET', url: 'http://127.0.0.1:8000/plain', headers: [], body: undefined, line: 23 },
      ]);
    });

    it('reads CRLF files the same, and a file without ### as one request', () => {
      const crlf = parseHttpFile(FILE.replace(/\n/g, '\r\n'));
      assert.deepEqual(crlf, parseHttpFile(FILE));
      const single = parseHttpFile('GET http://h/x\nAccept: text/event-stream\n');
      assert.deepEqual(single.requests, [
        { name: undefined, method: 'GET', url: 'http://h/x', headers: [['Accept', 'text/event-stream']], body: undefined, line: 0 },
      ]);
    });

    it('finds the request a line belongs to', () => {
      const file = parseHttpFile(FILE);
      assert.equal(requestAtLine(file, 6)?.name, 'Ask the chat route');
      assert.equal(requestAtLine(file, 12)?.name, 'Ask the chat route');
      assert.equal(requestAtLine(file, 21)?.name, 'tokens');
      assert.equal(requestAtLine(file, 2), undefined);
    });
  });

  describe('resolveHttpRequest', () => {
    it('substitutes file variables (nested) and given ones, and lists the unresolved', () => {
      const file = parseHttpFile(FILE);
      const chat = resolveHttpRequest(file, file.requests[0]!, new Map([['token', 's3cret']]));
      assert.deepEqual(chat.request, {
        url: 'http://127.0.0.1:8000/api/chat',
        method: 'POST',
        headers: [
          ['Content-Type', 'application/json'],
          ['Authorization', 'Bearer s3cret'],
        ],
        body: '{\n  "messages": [{"role": "user", "content": "Hi {{who}}"}]\n}',
      });
      assert.deepEqual(chat.unresolved, ['who']);
      assert.deepEqual(resolveHttpRequest(file, file.requests[0]!).unresolved, ['token', 'who']);
    });

    it('ends a variable cycle', () => {
      const file = parseHttpFile('@a = {{b}}\n@b = {{a}}\nGET http://h/{{a}}\n');
      const resolved = resolveHttpRequest(file, file.requests[0]!);
      assert.ok(resolved.unresolved.length > 0);
    });
  });

  describe('httpFileEntry', () => {
    const request: StreamRequest = {
      url: 'http://127.0.0.1:8000/api/chat',
      method: 'POST',
      headers: [
        ['Authorization', 'Bearer sk-live-123'],
        ['X-Api-Key', 'abc'],
        ['X-Tenant', 'acme'],
        ['X-Mine', 'private'],
      ],
      body: '{"messages":[{"role":"user","content":"Hi"}]}',
    };

    it('writes secrets as {{variables}}, never their values, and reads back to the same request', () => {
      const entry = httpFileEntry(request, { name: 'Chat', secretHeaders: ['x-mine'] });
      assert.ok(entry.ok);
      assert.equal(
        entry.text,
        [
          '### Chat',
          'POST http://127.0.0.1:8000/api/chat',
          'Accept: text/event-stream',
          'Authorization: Bearer {{token}}',
          'X-Api-Key: {{x_api_key}}',
          'X-Tenant: acme',
          'X-Mine: {{x_mine}}',
          'Content-Type: application/json',
          '',
          '{\n  "messages": [\n    {\n      "role": "user",\n      "content": "Hi"\n    }\n  ]\n}',
          '',
        ].join('\n'),
      );
      assert.doesNotMatch(entry.text, /sk-live-123|abc|private/);
      assert.deepEqual(entry.variables, [
        { name: 'token', header: 'Authorization' },
        { name: 'x_api_key', header: 'X-Api-Key' },
        { name: 'x_mine', header: 'X-Mine' },
      ]);
      const file = parseHttpFile(appendHttpEntry('@host = x\n', entry.text));
      const secrets = new Map([
        ['token', 'sk-live-123'],
        ['x_api_key', 'abc'],
        ['x_mine', 'private'],
      ]);
      const back = resolveHttpRequest(file, file.requests[0]!, secrets).request;
      assert.equal(back.url, request.url);
      assert.deepEqual(JSON.parse(back.body!), JSON.parse(request.body!));
      assert.deepEqual(back.headers.slice(1, 5), request.headers);
    });

    it('refuses what a .http file cannot hold, instead of writing a broken entry', () => {
      assert.equal(httpFileEntry({ ...request, url: 'http://h/x\nGET http://evil' }).ok, false);
      assert.equal(httpFileEntry({ ...request, headers: [['X', 'a\rb']] }).ok, false);
      assert.equal(httpFileEntry(request, { name: 'two\nlines' }).ok, false);
      assert.equal(httpFileEntry({ ...request, body: 'text\n### not a request' }).ok, false);
      const plain = httpFileEntry({ ...request, headers: [], body: 'text\n  ### indented is fine' });
      assert.ok(plain.ok);
      assert.equal(parseHttpFile(plain.text).requests[0]!.body, 'text\n  ### indented is fine');
    });

    it('appends after one blank line, in the file’s own line endings', () => {
      assert.equal(appendHttpEntry('', '### a\nGET http://h\n'), '### a\nGET http://h\n');
      assert.equal(appendHttpEntry('### a\r\nGET http://h\r\n\r\n\r\n', '### b\nGET http://i\n'), '### a\r\nGET http://h\r\n\r\n### b\r\nGET http://i\r\n');
      const both = parseHttpFile(appendHttpEntry('### a\nPOST http://h\n\n{"x": 1}', '### b\nGET http://i\n'));
      assert.deepEqual(
        both.requests.map((r) => [r.name, r.body]),
        [
          ['a', '{"x": 1}'],
          ['b', undefined],
        ],
      );
    });
  });

  describe('request history', () => {
    const chat = (content: string): StreamRequest => ({
      url: 'http://h/api/chat?x=1',
      method: 'POST',
      headers: [
        ['Authorization', 'Bearer t'],
        ['X-Tenant', 'a'],
      ],
      body: content,
    });

    it('keeps the newest requests per route, bounded, without secrets or a resume id', () => {
      let history = remember([], { url: 'http://h/stream', method: 'GET', headers: [] });
      for (let i = 0; i < HISTORY_PER_ROUTE + 3; i++) {
        history = remember(history, { ...chat(`${i}`), lastEventId: 'x' });
      }
      history = remember(history, chat('5'));
      assert.deepEqual(
        history.map((entry) => entry.route),
        ['POST http://h/api/chat', 'GET http://h/stream'],
      );
      const bodies = history[0]!.requests.map((r) => r.body);
      assert.equal(bodies.length, HISTORY_PER_ROUTE);
      assert.deepEqual(bodies.slice(0, 3), ['5', '12', '11']);
      assert.deepEqual(history[0]!.requests[0], { url: 'http://h/api/chat?x=1', method: 'POST', headers: [['X-Tenant', 'a']], body: '5' });
      assert.equal(routeKey({ method: 'get', url: 'http://h/a?b#c' }), 'GET http://h/a');
      assert.deepEqual(
        recentRequests(history, { method: 'GET', url: 'http://h/stream?p=1' }).map((r) => r.method),
        ['GET', ...Array(HISTORY_PER_ROUTE).fill('POST')],
      );
      assert.deepEqual(withCurrentSecrets(history[0]!.requests[0]!, chat('now')).headers, [
        ['X-Tenant', 'a'],
        ['Authorization', 'Bearer t'],
      ]);
      assert.deepEqual(readHistory(JSON.parse(JSON.stringify(history))), history);
      assert.deepEqual(readHistory({ not: 'a history' }), []);
      assert.deepEqual(readHistory([{ route: 'x', requests: [{ url: 1 }] }]), []);
    });
  });
});
