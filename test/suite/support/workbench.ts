/**
 * Screenshots of the whole workbench. The extension host cannot see the workbench, so the suite asks the runner
 * (test/host/run.mjs) for one: it writes `<CATALYST_HOST_CONTROL>/<name>.screenshot`; the runner waits until the
 * page shows `waitForText` (when given), writes `<CATALYST_ARTIFACTS_DIR>/<name>.png` and `<control>/<name>.json`
 * saying whether the text was found, and deletes the request.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from './wait';

/** Whether a runner that takes workbench screenshots is listening (the code-server runner; not test-electron). */
export function canCaptureWorkbench(): boolean {
  return Boolean(process.env.CATALYST_HOST_CONTROL && process.env.CATALYST_ARTIFACTS_DIR);
}

export interface Capture {
  readonly file: string;
  /** Whether the page showed `waitForText` (in any frame, webviews included) before the screenshot. */
  readonly textShown: boolean;
}

/** Saves a screenshot of the workbench, once it shows `waitForText` if given (the runner waits up to 15 s). */
export async function captureWorkbench(name: string, waitForText?: string): Promise<Capture> {
  const control = process.env.CATALYST_HOST_CONTROL;
  const artifacts = process.env.CATALYST_ARTIFACTS_DIR;
  if (!control || !artifacts) {
    throw new Error('no runner is listening for screenshot requests (CATALYST_HOST_CONTROL is not set)');
  }
  const file = path.join(artifacts, `${name}.png`);
  const answer = path.join(control, `${name}.json`);
  rmSync(file, { force: true });
  rmSync(answer, { force: true });
  // Written aside and renamed, so the runner never reads half a request.
  const request = path.join(control, `${name}.screenshot`);
  writeFileSync(`${request}.partial`, JSON.stringify(waitForText === undefined ? {} : { waitForText }));
  renameSync(`${request}.partial`, request);
  const { found } = await waitFor(() => existsSync(answer) && (JSON.parse(readFileSync(answer, 'utf8')) as { found: boolean }), {
    what: `the runner to save ${file}`,
    timeoutMs: 30_000,
    intervalMs: 100,
  });
  return { file, textShown: found };
}
