/**
 * A real nginx reverse proxy in front of a test server: Debian's nginx started with its own config on a free
 * loopback port, as a foreground process (daemon off) with every path inside a temp folder. Proxy buffering
 * stays at nginx's default (on), as in a typical production config: the stream must get through anyway.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startListening } from './processes';

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
export async function startNginxProxy(upstreamPorts: number | readonly number[], options: { readonly workerConnections?: number } = {}): Promise<RunningProxy> {
  const ports = typeof upstreamPorts === 'number' ? [upstreamPorts] : upstreamPorts;
  const binary = nginxBinary();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'catalyst-nginx-'));
  const config = (port: number) => `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections ${options.workerConnections ?? 512}; }
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
  const nginx = await startListening({
    name: 'nginx',
    command: binary,
    // The config is written for the port being tried, just before nginx reads it.
    args: async (port) => {
      await writeFile(path.join(dir, 'nginx.conf'), config(port));
      return ['-p', dir, '-c', path.join(dir, 'nginx.conf')];
    },
    startTimeoutMs: 10_000,
    // SIGQUIT: nginx's graceful shutdown (open streams finish); SIGKILL after 5 s.
    stop: { signal: 'SIGQUIT', graceMs: 5_000 },
  }).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    port: nginx.port,
    baseUrl: `http://127.0.0.1:${nginx.port}`,
    stop: async () => {
      await nginx.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
