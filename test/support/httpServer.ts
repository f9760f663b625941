/** A throwaway node:http server on 127.0.0.1 for unit tests of the stream client (openStream, redirects). */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** Runs `body` with a server on 127.0.0.1 answering with `handler`; closes it (and every socket) afterwards. */
export async function withServer<T>(handler: Handler, body: (url: string) => Promise<T>): Promise<T> {
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (part: string) => (text += part));
    req.on('end', () => handler(req, res, text));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
