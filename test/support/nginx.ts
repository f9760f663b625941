/**
 * A real nginx reverse proxy in front of a test server: Debian's nginx started with its own config on a free
 * loopback port, as a foreground process (daemon off) with every path inside a temp folder. Proxy buffering
 * stays at nginx's default (on), as in a typical production config: the stream must get through anyway.
 */
import { loadExeca } from './execa';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from '../../src/core/net/ports';

export interface RunningProxy {
  readonly port: number;
  readonly baseUrl: string;
  stop(): Promise<void>;
}

const NGINX_CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'];

/** The first nginx binary that exists; throws, naming the package to install, when there is none. */
export function nginxBinary(candidates: readonly string[] = NGINX_CANDIDATES): string {
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new Error(`nginx is required for the proxy tests and was not found (looked in ${candidates.join(', ')}). Install it: apt-get install nginx-light`);
  }
  return found;
}

/** nginx in front of one upstream port, or of several as a round-robin upstream (nginx's default balancing). */
export async function startNginxProxy(upstreamPorts: number | readonly number[]): Promise<RunningProxy> {
  const ports = typeof upstreamPorts === 'number' ? [upstreamPorts] : upstreamPorts;
  const binary = nginxBinary();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'catalyst-nginx-'));
  const port = await freePort();
  const config = `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream backends {
${ports.map((p) => `    server 127.0.0.1:${p};`).join('\n')}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
  await writeFile(path.join(dir, 'nginx.conf'), config);
  const execa = await loadExeca();
  const child = execa(binary, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { reject: false, all: true });
  let output = '';
  child.all?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new AbortController();
  void child.then(() => exited.abort());
  try {
    await waitForPort(port, { timeoutMs: 10_000, signal: exited.signal });
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`nginx did not start: ${(error as Error).message}\n${output}`);
  }
  return {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGQUIT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await child;
      clearTimeout(timer);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
