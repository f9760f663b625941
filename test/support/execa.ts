/**
 * execa is ESM-only. Tests run as CommonJS through tsx, whose require hook cannot follow execa's own
 * ESM-only dependencies, so execa is loaded with a dynamic import (which Node resolves natively).
 */
import type { execa as Execa } from 'execa';

let loaded: Promise<typeof Execa> | undefined;

export function loadExeca(): Promise<typeof Execa> {
  loaded ??= import('execa').then((module) => module.execa);
  return loaded;
}
