/**
 * What the preview shows, as plain data, and the one reducer that folds host messages into it. Both sides run
 * it: the webview renders the model (once per animation frame) and saves it with setState; the host keeps its
 * own copy and sends it whole (`snapshot`) when a webview (re)loads, e.g. after the panel was hidden. Everything
 * in it is bounded, so neither side's memory grows with the length of the stream. Pure: no DOM, no Node.
 */
import type { EventView, HostMessage, PreviewModel } from '../../../protocol/preview';
import type { Redirect, StreamFailure, StreamRequest } from '../../../protocol/stream';

/**
 * Events kept, all of them reachable in the (virtualised) event list; older ones are counted as hidden. Each
 * event's data is cut to EVENT_PREVIEW_CHARS, so the window stays bounded in bytes too.
 */
export const EVENT_WINDOW = 2_000;
/** Events saved with setState (the newest): a reload restores quickly. */
export const PERSISTED_EVENTS = 500;
/** Characters of assembled text kept; beyond it the start is dropped (in steps, so not on every batch). */
export const TEXT_LIMIT = 256 * 1024;
export const NOTICE_LIMIT = 50;

export function emptyModel(request: StreamRequest): PreviewModel {
  return {
    request,
    run: 0,
    status: { kind: 'idle' },
    events: [],
    hidden: 0,
    text: '',
    textDropped: 0,
    textFormat: null,
    textError: null,
    protocol: null,
    finish: null,
    reasoning: '',
    reasoningDropped: 0,
    toolCalls: [],
    toolCallsOmitted: 0,
    stats: null,
    response: null,
    buffering: null,
    notices: [],
    noticesOmitted: 0,
    lastEventId: null,
  };
}

/** Clears what a run showed, keeping the request. */
export function cleared(model: PreviewModel): PreviewModel {
  return { ...emptyModel(model.request), run: model.run, lastEventId: model.lastEventId };
}

/** What changed, so the view redraws only that. */
export interface Changes {
  events?: EventView[];
  text?: { readonly appended: string } | 'reset';
  /** The protocol, reasoning or tool calls changed. */
  parts?: boolean;
  all?: boolean;
}

/** Applies one host message to the model; returns the new events and text (for incremental rendering). */
export function apply(model: PreviewModel, message: HostMessage, changes: Changes): void {
  if ('run' in message && message.run < model.run) {
    return; // A late message from a run that was replaced.
  }
  switch (message.type) {
    case 'snapshot':
      Object.assign(model, message.model);
      changes.all = true;
      return;
    case 'setRequest':
      model.request = message.request;
      changes.all = true;
      return;
    case 'started':
      Object.assign(model, cleared(model), { run: message.run, request: message.request, status: { kind: 'connecting' } });
      changes.all = true;
      return;
    case 'response':
      model.response = {
        status: message.status,
        headers: message.headers,
        checks: message.checks,
        ...(message.redirects?.length ? { redirects: message.redirects } : {}),
      };
      model.status = { kind: 'streaming' };
      return;
    case 'batch': {
      model.events.push(...message.events);
      if (model.events.length > EVENT_WINDOW) {
        const drop = model.events.length - EVENT_WINDOW;
        model.events.splice(0, drop);
        model.hidden += drop;
      }
      (changes.events ??= []).push(...message.events);
      const last = message.events[message.events.length - 1];
      if (last !== undefined) {
        model.lastEventId = last.id;
      }
      if (message.textReplaced) {
        model.text = '';
        model.textDropped = 0;
        changes.text = 'reset';
      }
      if (message.text !== '') {
        model.text += message.text;
        if (changes.text !== 'reset') {
          changes.text = { appended: (changes.text?.appended ?? '') + message.text };
        }
        if (model.text.length > TEXT_LIMIT * 1.5) {
          const drop = model.text.length - TEXT_LIMIT;
          model.text = model.text.slice(drop);
          model.textDropped += drop;
        }
      }
      model.textFormat = message.textFormat;
      if (message.finish) {
        model.finish = message.finish;
      }
      applyParts(model, message, changes);
      for (const notice of message.notices) {
        if (model.notices.length < NOTICE_LIMIT) {
          model.notices.push(notice);
        } else {
          model.noticesOmitted++;
        }
      }
      model.stats = message.stats;
      return;
    }
    case 'buffering':
      model.buffering = message.warning;
      return;
    case 'ended':
      model.status = message.end;
      model.stats = message.stats;
      model.lastEventId = message.lastEventId;
      model.textError = message.textError;
      return;
    case 'exported':
      return;
  }
}

/** The batch's protocol, reasoning (appended, bounded) and tool calls (each replacing its earlier state). */
function applyParts(model: PreviewModel, message: Extract<HostMessage, { type: 'batch' }>, changes: Changes): void {
  if (message.protocol !== model.protocol || message.reasoning || message.toolCalls.length > 0) {
    changes.parts = true;
  }
  model.protocol = message.protocol;
  if (message.reasoning) {
    model.reasoning += message.reasoning;
    if (model.reasoning.length > TEXT_LIMIT * 1.5) {
      const drop = model.reasoning.length - TEXT_LIMIT;
      model.reasoning = model.reasoning.slice(drop);
      model.reasoningDropped += drop;
    }
  }
  for (const call of message.toolCalls) {
    const at = model.toolCalls.findIndex((c) => c.id === call.id);
    if (at >= 0) {
      model.toolCalls[at] = call;
    } else {
      model.toolCalls.push(call);
    }
  }
  model.toolCallsOmitted = message.toolCallsOmitted;
}

/** "302 -> URL", and on another origin which of the user's headers were not sent there: the CLI and the panel say it so. */
export function redirectText(redirect: Redirect): string {
  const withheld = redirect.droppedHeaders.length > 0 ? `; not sent there: ${redirect.droppedHeaders.join(', ')}` : '';
  return `${redirect.status} -> ${redirect.to}${redirect.crossOrigin ? ` (another origin${withheld})` : ''}`;
}

/** The model as saved with setState: the newest events only, their data cut shorter, so a reload restores quickly. */
export function persisted(model: PreviewModel): PreviewModel {
  const cut = 1024;
  const kept = model.events.slice(-PERSISTED_EVENTS);
  return {
    ...model,
    hidden: model.hidden + model.events.length - kept.length,
    events: kept.map((e) => (e.data.length > cut ? { ...e, data: e.data.slice(0, cut), fullLength: e.fullLength ?? e.data.length } : e)),
  };
}

/**
 * How a run stands, one answer per outcome, for the status line: a stream that sent an error event did not
 * complete, whatever its connection did after; a connection that broke after the response is "lost", one that
 * never gave a stream "failed".
 */
export type RunOutcome =
  | { readonly kind: 'idle' | 'connecting' | 'streaming' | 'completed' | 'stopped' }
  | { readonly kind: 'error-event'; readonly message: string }
  | { readonly kind: 'connection-lost'; readonly message: string }
  | { readonly kind: 'failed'; readonly failure: StreamFailure };

export function runOutcome(model: PreviewModel): RunOutcome {
  const s = model.status;
  if (s.kind === 'idle' || s.kind === 'connecting' || s.kind === 'streaming' || s.kind === 'stopped') {
    return { kind: s.kind };
  }
  if (model.textError !== null) {
    return { kind: 'error-event', message: model.textError };
  }
  if (s.kind === 'completed') {
    return { kind: 'completed' };
  }
  const lost = s.failure.kind === 'unexpected-end' || s.failure.kind === 'idle-timeout' || (s.failure.kind === 'network' && model.response !== null);
  return lost ? { kind: 'connection-lost', message: s.failure.message } : { kind: 'failed', failure: s.failure };
}
