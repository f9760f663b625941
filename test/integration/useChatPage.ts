/**
 * The useChat page of the browser tests (test/fixtures/protocols/usechat-page/page.jsx: React, @ai-sdk/react and
 * ai, bundled with esbuild), served with its index.html from a loopback origin of its own, as a separate front end
 * would be. protocolUseChat.test.ts drives it on a plain route, resumableProtocols.test.ts on a resumable one.
 */
import { readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { makeTempDir } from '../support/tempdir';
import { PROTOCOL_FIXTURES } from './protocolAppSupport';

export interface PageServer {
  readonly origin: string;
  close(): Promise<void>;
}

/** Bundles the page (React, @ai-sdk/react, ai) and serves it with its index.html from a loopback origin. */
export async function servePage(): Promise<PageServer> {
  const dir = await makeTempDir('usechat-page');
  await esbuild.build({
    entryPoints: [path.join(PROTOCOL_FIXTURES, 'usechat-page', 'page.jsx')],
    outfile: path.join(dir, 'page.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  const script = await readFile(path.join(dir, 'page.js'));
  const html =
    '<!doctype html><html><head><meta charset="utf-8"><title>useChat</title></head><body><div id="root"></div><script src="/page.js"></script></body></html>';
  const server = http.createServer((request, response) => {
    const [type, body] = request.url === '/page.js' ? ['text/javascript', script] : ['text/html; charset=utf-8', html];
    response.writeHead(200, { 'content-type': type });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
