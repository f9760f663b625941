/**
 * Why the imported app would never run the new route, from its own route table (verifyEndpoint.ts): the
 * route or mount Starlette's matching sends a request to the route's path to first, and what to do instead.
 *
 *   unreachableMessage({ served: { url: '/api/stream', ... }, captor: { kind: 'route', path: '/{full_path:path}',
 *                        methods: ['GET'], name: 'spa', file: 'web/frontend.py', line: 10 } }, endpoint)
 *     -> 'GET /api/stream would be answered by GET /{full_path:path} (spa, web/frontend.py:10) in web.main:app ...'
 */
import type { RouteCaptor } from '../python/appProbe';
import type { PlannedEndpoint } from './endpoint';
import type { EndpointVerification } from './verifyEndpoint';

export function unreachableMessage(verification: Extract<EndpointVerification, { status: 'unreachable' }>, endpoint: PlannedEndpoint): string {
  const { served, captor } = verification;
  const request = `${endpoint.method} ${served.url}`;
  const app = served.serve.app;
  if (captor === undefined) {
    return `${request} would not reach the new route in ${endpoint.file}: the route table of ${app} (imported with ${verification.python}) answers that path with nothing (404) before it. Nothing was written. Choose another --route.`;
  }
  return `${request} would be answered by ${describeCaptor(captor)} in ${app}'s route table (imported with ${verification.python}) before the new route in ${endpoint.file}: Starlette tries routes in order, so it would never run. Nothing was written. ${
    captor.kind === 'mount'
      ? `Choose a --route outside "${captor.path || '/'}", or add the route to the app before that mount.`
      : `Choose another --route, or add the route where it comes before ${captor.name ?? 'that route'}${captor.file ? ` (${captor.file})` : ''}.`
  }`;
}

function describeCaptor(captor: RouteCaptor): string {
  const where = captor.file === undefined ? '' : `${captor.file}${captor.line === undefined ? '' : `:${captor.line}`}`;
  if (captor.kind === 'mount') {
    return `the mount at "${captor.path || '/'}"${where ? ` (${where})` : ''}, which takes every request under it`;
  }
  const detail = [captor.name, where].filter(Boolean).join(', ');
  return `${captor.methods.join('/')} ${captor.path}${detail ? ` (${detail})` : ''}`;
}
