/**
 * What only the runner (test/host/run.mjs) can do, since the extension host cannot see the workbench: take
 * screenshots and type at the keyboard. The suite writes a request into `CATALYST_HOST_CONTROL`
 * (`<name>.screenshot` or `<name>.keys`, JSON) and waits for the runner's answer `<name>.json`; see
 * answerControlRequests in run.mjs for the protocol.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from './wait';

/** Whether a runner that answers is listening (the code-server runner; not test-electron). */
export function canDriveWorkbench(): boolean {
  return Boolean(process.env.CATALYST_HOST_CONTROL && process.env.CATALYST_ARTIFACTS_DIR);
}

async function ask<T>(name: string, kind: 'screenshot' | 'keys', body: unknown, timeoutMs: number): Promise<T> {
  const control = process.env.CATALYST_HOST_CONTROL;
  if (!control || !canDriveWorkbench()) {
    throw new Error('no runner is listening for workbench requests (CATALYST_HOST_CONTROL is not set)');
  }
  const answer = path.join(control, `${name}.json`);
  rmSync(answer, { force: true });
  // Written aside and renamed, so the runner never reads half a request.
  const request = path.join(control, `${name}.${kind}`);
  writeFileSync(`${request}.partial`, JSON.stringify(body));
  renameSync(`${request}.partial`, request);
  return waitFor(() => existsSync(answer) && (JSON.parse(readFileSync(answer, 'utf8')) as T), {
    what: `the runner to answer ${path.basename(request)}`,
    timeoutMs,
    intervalMs: 100,
  });
}

export interface Capture {
  readonly file: string;
  /** Whether a webview showed `waitForText` before the screenshot (editors do not count). */
  readonly textShown: boolean;
}

/** Saves a screenshot of the workbench, once a webview shows `waitForText` if given (the runner waits up to 15 s). */
export async function captureWorkbench(name: string, waitForText?: string): Promise<Capture> {
  const file = path.join(process.env.CATALYST_ARTIFACTS_DIR ?? '', `${name}.png`);
  rmSync(file, { force: true });
  const { found } = await ask<{ found: boolean }>(name, 'screenshot', waitForText === undefined ? {} : { waitForText }, 30_000);
  return { file, textShown: found };
}

/** One answer to a QuickPick or InputBox, typed by the runner at the real keyboard; or a notification's button clicked. */
export type KeyStep = QuickInputStep | NotificationStep;

/** Waits for a notification (toast or notifications center) showing `notification` and clicks its button `click`. */
export interface NotificationStep {
  readonly notification: string;
  readonly click?: string;
}

export interface QuickInputStep {
  /** Text of the quick input's title or placeholder to wait for. */
  readonly title: string;
  /** Text to type (into an InputBox, or to filter a QuickPick). */
  readonly type?: string;
  /** Text that must then show in the quick input, e.g. a validation message. */
  readonly expect?: string;
  /** Keys to press afterwards, in Playwright's names (`Enter`, `Backspace`, `Control+A`, ...). */
  readonly press?: readonly string[];
}

/** Has the runner go through the steps; rejects with the runner's error when a step could not be done. */
export async function pressKeys(name: string, steps: readonly KeyStep[]): Promise<void> {
  const answer = await ask<{ done: boolean; error?: string }>(name, 'keys', { steps }, 20_000 * (steps.length + 1));
  if (!answer.done) {
    throw new Error(`the runner could not answer the prompts: ${answer.error}`);
  }
}
