/**
 * The two ways a step of the plan stops it: a refusal the user is told (nothing may be written), and the
 * signal that an untouched module of an earlier version is migrated first (planAddEndpoint.ts plans again).
 */
import type { RefusalReason } from './types';

export class Refusal extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown by the planner when the streaming module to use is an untouched one of an earlier version. */
export class MigrationNeeded extends Error {
  constructor(
    readonly legacy: readonly string[],
    readonly migration: { readonly files: ReadonlyMap<string, string> },
  ) {
    super('the legacy streaming module is migrated first');
  }
}
