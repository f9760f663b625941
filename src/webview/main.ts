/**
 * The Stream Preview's browser program. Host messages update the model as they come; the DOM is updated at
 * most once per animation frame, however many batches arrived in between, so a 20,000 events/s stream costs
 * one render per frame. State is saved with setState (throttled) and restored on load.
 */
import { isHostMessage, postToHost, type HostMessage, type PreviewModel as Model, type WebviewMessage } from '../protocol/preview';
import type { StreamRequest } from '../protocol/stream';
import { apply, cleared, emptyModel, persisted, type Changes } from '../core/sse/preview/model';
import { PreviewView } from './view';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const STATE_VERSION = 2;
/** setState serialises the whole model: at most once a second while events flow. */
const SAVE_INTERVAL_MS = 1000;

const vscode = acquireVsCodeApi();
const post = (message: WebviewMessage) => postToHost(vscode, message);

function restore(): Model {
  const saved = vscode.getState() as { version?: number; model?: Model } | undefined;
  return saved?.version === STATE_VERSION && saved.model ? saved.model : emptyModel({ url: '', method: 'GET', headers: [] });
}

let model = restore();
// A restored page shows what it had, but its run is over: the host's connection did not survive the reload.
if (model.status.kind === 'connecting' || model.status.kind === 'streaming') {
  model.status = { kind: 'stopped' };
}
let changes: Changes = { all: true };
let frame: number | undefined;
let saveTimer: ReturnType<typeof setTimeout> | undefined;

const view = new PreviewView(document.getElementById('app') ?? document.body, {
  send: (request: StreamRequest) => post({ type: 'send', request }),
  stop: () => post({ type: 'stop' }),
  reconnect: (request: StreamRequest) => post({ type: 'reconnect', request }),
  clear: () => {
    model = cleared(model);
    model.request = view.request();
    schedule({ all: true });
    post({ type: 'clear' });
  },
  exportTranscript: () => post({ type: 'export' }),
  startServer: () => post({ type: 'startServer' }),
  requestFrame: () => (frame ??= requestAnimationFrame(renderFrame)),
  saveRequest: (request: StreamRequest) => post({ type: 'saveRequest', request }),
  history: (request: StreamRequest) => post({ type: 'history', request }),
});

function schedule(more: Changes): void {
  if (more.all) {
    changes.all = true;
  }
  if (more.events) {
    (changes.events ??= []).push(...more.events);
  }
  frame ??= requestAnimationFrame(renderFrame);
  saveTimer ??= setTimeout(save, SAVE_INTERVAL_MS);
}

function renderFrame(): void {
  frame = undefined;
  const pending = changes;
  changes = {};
  view.render(model, pending);
}

function save(): void {
  saveTimer = undefined;
  model.request = view.request();
  vscode.setState({ version: STATE_VERSION, model: persisted(model) });
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data;
  if (!isHostMessage(message)) {
    return;
  }
  handle(message);
});

function handle(message: HostMessage): void {
  if (message.type === 'setRequest') {
    model.request = message.request;
    view.setRequest(message.request);
    schedule({});
    return;
  }
  apply(model, message, changes);
  schedule({});
}

window.addEventListener('beforeunload', save);
view.render(model, changes);
changes = {};
post({ type: 'ready' });
