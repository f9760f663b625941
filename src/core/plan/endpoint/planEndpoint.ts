/**
 * The first decision about the route: invalid, already there (running it twice), taken by another route, or
 * new (planNewEndpoint.ts). Its URL and the app serving it come from the source, or from the imported app's
 * answer when the request has one (`served`).
 */
import { servingApp } from '../../python/routeOrder';
import { uvicornTargetFor } from '../modulePaths';
import { buildRouteIndex } from './routeIndex';
import { validateRoutePath } from '../routePath';
import { formatTokenSource } from '../tokenSource';
import type { EndpointPlanning } from './planning';
import { planNewEndpoint } from './planNewEndpoint';
import { Refusal } from './refusal';
import { resolveTarget } from './resolveTarget';
import type { AddEndpointPlan } from './types';

export async function planEndpoint(planning: EndpointPlanning): Promise<AddEndpointPlan> {
  const { workspace, request, route, method } = planning;
  const invalid = validateRoutePath(route);
  if (invalid) {
    throw new Refusal('invalid-route', `Invalid route path: ${invalid}.`);
  }
  const target = await resolveTarget(planning);
  const index = await buildRouteIndex(workspace, target, target.analysis);
  const served = request.served;
  const url = served?.url ?? index.url(route);
  const matches = index.matches(route);
  const serving = served ? undefined : await servingApp(workspace, target);
  const serve = served?.serve ?? (serving && (await uvicornTargetFor(workspace, serving.app)));
  const endpointBase = {
    file: target.file,
    owner: target.id,
    ownerKind: target.kind,
    method,
    route,
    url,
    source: formatTokenSource(planning.source),
    protocol: planning.protocol,
    resumable: planning.resumable,
    onDisconnect: planning.onDisconnect,
    ...(serve ? { serve } : {}),
  };

  const present = matches.find((served) => served.methods.includes(method) && served.route.streamsSse);
  if (present) {
    return {
      status: 'already-present',
      endpoint: { ...endpointBase, file: present.file, functionName: present.route.handler?.name ?? '' },
      message: `A streaming endpoint is already there: ${method} ${url} (${present.file}:${present.route.span.startPoint.row + 1}). Nothing to do.`,
      line: present.route.span.startPoint.row,
    };
  }
  if (matches.length > 0) {
    const clash = matches[0]!;
    throw new Refusal(
      'route-taken',
      `The route ${url} is already taken by ${clash.methods.join('/')} ${clash.path} in ${clash.file}:${clash.route.span.startPoint.row + 1}${clash.route.handler ? ` (${clash.route.handler.name})` : ''}. Choose another path.`,
    );
  }
  return planNewEndpoint(planning, target, endpointBase);
}
