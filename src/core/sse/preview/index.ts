/**
 * The Stream Preview's core, in one place: the model and its reducer (`model.ts`, which both the extension host
 * and the webview run), the host's run that turns a stream into protocol messages (`run.ts`), the batcher that
 * paces those messages and the transcript the panel exports and the CLI prints.
 *
 * The host, the CLI and tests import from here. The webview imports `./model` directly: this index also
 * re-exports the run, which streams over Node's http, and the browser bundle must not pull that in.
 */
export * from './model';
export * from './run';
export * from './batcher';
export * from './transcript';
export * from './stop';
