/**
 * Screenshots of the whole workbench. The extension host cannot see the workbench, so the suite asks the runner
 * (test/host/run.mjs) for one: it creates `<CATALYST_HOST_CONTROL>/<name>.screenshot` and the runner answers by
 * writing `<CATALYST_ARTIFACTS_DIR>/<name>.png` and deleting the request.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from './wait';

/** Whether a runner that takes workbench screenshots is listening (the code-server runner; not test-electron). */
export function canCaptureWorkbench(): boolean {
  return Boolean(process.env.CATALYST_HOST_CONTROL && process.env.CATALYST_ARTIFACTS_DIR);
}

/** Saves a screenshot of the workbench as it is now; resolves with the PNG's path once it is written. */
export async function captureWorkbench(name: string): Promise<string> {
  const control = process.env.CATALYST_HOST_CONTROL;
  const artifacts = process.env.CATALYST_ARTIFACTS_DIR;
  if (!control || !artifacts) {
    throw new Error('no runner is listening for screenshot requests (CATALYST_HOST_CONTROL is not set)');
  }
  const target = path.join(artifacts, `${name}.png`);
  rmSync(target, { force: true });
  const request = path.join(control, `${name}.screenshot`);
  writeFileSync(request, '');
  await waitFor(() => !existsSync(request) && existsSync(target), { what: `the runner to save ${target}`, timeoutMs: 20_000, intervalMs: 100 });
  return target;
}
