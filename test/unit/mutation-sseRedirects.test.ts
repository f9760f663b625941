/**
 * fetchFollowingRedirects (src/core/sse/redirects.ts) against node:http servers on 127.0.0.1: which method, body
 * and headers each hop gets, what is reported, and the redirects it refuses. redirects.ts had no unit test (only
 * integration tests), so Stryker saw its mutants as not covered; each test names the mutants it kills
 * (`npm run test:mutation -- sse --mutate src/core/sse/redirects.ts`).
 */
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { fetchFollowingRedirects, HopError, MAX_REDIRECTS, type Followed } from '../../src/core/sse/redirects';
import type { Redirect } from '../../src/protocol/stream';
import { withServer } from '../support/httpServer';

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A server whose paths answer with `routes[path]` = [status, location?] (read per request); records every request. */
function redirecting(routes: Record<string, readonly [number, string?]>, seen: Seen[]) {
  return <T>(body: (base: string) => Promise<T>) =>
    withServer(
      (req, res, text) => {
        seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: text });
        const [status, location] = routes[req.url ?? ''] ?? [200];
        res.writeHead(status, location === undefined ? {} : { location });
        res.end(req.method === 'HEAD' ? undefined : 'ok');
      },
      (url) => body(url.replace(/\/stream$/, '')),
    );
}

async function follow(url: string, method = 'GET', body?: string, userHeaders: Record<string, string> = { 'x-api-key': 'secret' }) {
  const redirects: Redirect[] = [];
  const headers = new Headers({ accept: 'text/event-stream', ...userHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json' }) });
  const otherOriginHeaders = new Headers({ accept: 'text/event-stream', ...(body === undefined ? {} : { 'content-type': 'application/json' }) });
  const followed: Followed = await fetchFollowingRedirects(
    { url: new URL(url), method, body, headers, otherOriginHeaders, userHeaderNames: Object.keys(userHeaders) },
    new AbortController().signal,
    (redirect) => redirects.push(redirect),
  );
  if ('response' in followed) await followed.response.arrayBuffer();
  return { followed, redirects };
}

describe('fetchFollowingRedirects (mutation-tested, against 127.0.0.1)', () => {
  // Kills: the 307 path (method, body and headers kept), the report's fields (`crossOrigin`, `droppedHeaders`
  // -> the names), `to.hash = ''` emptied, and the returned url.
  it('307 repeats the request as it was, to the same origin, without the fragment', async () => {
    const seen: Seen[] = [];
    await redirecting(
      { '/a': [307, '/b#part'] },
      seen,
    )(async (base) => {
      const { followed, redirects } = await follow(`${base}/a`, 'POST', '{"q":1}');
      assert.ok('response' in followed);
      assert.equal(followed.response.status, 200);
      assert.equal(followed.url.href, `${base}/b`);
      assert.deepEqual(redirects, [{ status: 307, from: `${base}/a`, to: `${base}/b`, crossOrigin: false, droppedHeaders: [] }]);
    });
    assert.deepEqual(
      seen.map((s) => [s.method, s.path, s.body, s.headers['x-api-key'], s.headers['content-type']]),
      [
        ['POST', '/a', '{"q":1}', 'secret', 'application/json'],
        ['POST', '/b', '{"q":1}', 'secret', 'application/json'],
      ],
    );
  });

  // Kills: the method rewrite's conditions (301/302 with POST, 303 but HEAD or GET: each side -> true / false,
  // `&&` / `||` swapped, the status and method literals), `method = 'GET'`, `bodyDropped ||= body !== undefined`
  // and the body headers dropped with the body (`if (bodyDropped)` -> true / false, the forEach emptied).
  it('301/302 turn a POST into a GET, 303 any method but HEAD; the body and its headers go', async () => {
    const cases: Array<[status: number, method: string, body: string | undefined, expected: string]> = [
      [301, 'POST', 'x', 'GET'],
      [302, 'POST', 'x', 'GET'],
      [302, 'POST', undefined, 'GET'],
      [301, 'PUT', 'x', 'PUT'],
      [302, 'PATCH', 'x', 'PATCH'],
      [303, 'PUT', 'x', 'GET'],
      [303, 'HEAD', undefined, 'HEAD'],
      [303, 'GET', undefined, 'GET'],
      [308, 'POST', 'x', 'POST'],
    ];
    for (const [status, method, body, expected] of cases) {
      const seen: Seen[] = [];
      await redirecting({ '/a': [status, '/b'] }, seen)((base) => follow(`${base}/a`, method, body, { 'x-api-key': 'secret', 'content-language': 'en' }));
      const label = `${status} ${method}`;
      const second = seen[1]!;
      assert.equal(second.method, expected, label);
      const dropped = expected !== method && body !== undefined;
      assert.equal(second.body, dropped || body === undefined ? '' : body, label);
      assert.equal(second.headers['content-type'], dropped || body === undefined ? undefined : 'application/json', label);
      assert.equal(second.headers['content-language'], dropped ? undefined : 'en', label);
      assert.equal(second.headers['x-api-key'], 'secret', label);
    }
  });

  // Kills: `url.origin === request.url.origin` -> true / false (another origin gets the defaults alone, the
  // requested origin its headers again) and `to.origin !== request.url.origin` -> false in the report.
  it('another origin gets none of the user headers; back on the requested origin they return', async () => {
    const seen: Seen[] = [];
    const otherSeen: Seen[] = [];
    const routes: Record<string, readonly [number, string?]> = {};
    await redirecting(
      routes,
      seen,
    )(async (start) => {
      await redirecting(
        { '/x': [302, `${start}/back`] },
        otherSeen,
      )(async (other) => {
        routes['/a'] = [302, `${other}/x`];
        const { redirects } = await follow(`${start}/a`);
        assert.deepEqual(
          redirects.map((r) => [r.crossOrigin, r.droppedHeaders]),
          [
            [true, ['x-api-key']],
            [false, []],
          ],
        );
      });
    });
    assert.deepEqual(
      seen.map((s) => [s.path, s.headers['x-api-key']]),
      [
        ['/a', 'secret'],
        ['/back', 'secret'],
      ],
    );
    assert.equal(otherSeen[0]!.headers['x-api-key'], undefined);
    assert.equal(otherSeen[0]!.headers.accept, 'text/event-stream');
  });

  // Kills: `!REDIRECT_STATUSES.has(status) || location === null` (each side -> true / false, `&&`).
  it('a redirect status without Location, or a Location on a 200, is the response', async () => {
    const seen: Seen[] = [];
    await redirecting(
      { '/a': [302], '/b': [201, '/c'] },
      seen,
    )(async (base) => {
      const a = await follow(`${base}/a`);
      assert.ok('response' in a.followed && a.followed.response.status === 302);
      const b = await follow(`${base}/b`);
      assert.ok('response' in b.followed && b.followed.response.status === 201);
      assert.deepEqual([...a.redirects, ...b.redirects], []);
    });
    assert.equal(seen.length, 2);
  });

  // Kills: the http(s) check (`to === null ||`, each protocol comparison, `&&` / `||`), its failure message,
  // `redirects >= MAX_REDIRECTS` (-> true / false, `>`) and the give-up message.
  it('refuses a redirect to another scheme or an unparsable place, and stops after 20', async () => {
    const seen: Seen[] = [];
    await redirecting(
      { '/ftp': [302, 'ftp://127.0.0.1/f'], '/bad': [302, 'http://['], '/https': [302, 'https://127.0.0.1:1/'], '/loop': [302, '/loop'] },
      seen,
    )(async (base) => {
      assert.deepEqual((await follow(`${base}/ftp`)).followed, {
        failure: { kind: 'network', message: `${base}/ftp redirected (302) to "ftp://127.0.0.1/f", which is not an http(s) URL; not followed` },
      });
      assert.deepEqual((await follow(`${base}/bad`)).followed, {
        failure: { kind: 'network', message: `${base}/bad redirected (302) to "http://[", which is not an http(s) URL; not followed` },
      });
      await assert.rejects(follow(`${base}/https`), (error: unknown) => error instanceof HopError && error.url.href === 'https://127.0.0.1:1/');
      const loop = await follow(`${base}/loop`);
      assert.deepEqual(loop.followed, {
        failure: { kind: 'network', message: `Gave up after ${MAX_REDIRECTS} redirects (the last one from ${base}/loop to ${base}/loop)` },
      });
      assert.equal(loop.redirects.length, MAX_REDIRECTS);
    });
  });

  // Kills: HopError's message -> '' and its cause -> {}.
  it('a network error names the hop that failed', async () => {
    const error = await follow('http://127.0.0.1:1/s').then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof HopError);
    assert.equal(error.message, 'the request to http://127.0.0.1:1/s failed');
    assert.ok(error.cause instanceof Error);
  });
});
