/**
 * The route planner of Add Streaming Endpoint (planAddEndpoint.ts): its entry point and public types, one job
 * per module in this folder.
 */
export { planAddEndpoint } from './planAddEndpoint';
export { preferredTargets } from './resolveTarget';
export type { AddEndpointPlan, AddEndpointRefusal, AddEndpointRequest, HttpMethod, OutcomeRefusalReason, PlannedEndpoint, RefusalReason } from './types';
