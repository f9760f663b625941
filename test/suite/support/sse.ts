/** Reading a server's SSE response from the test side, independently of the extension's own SSE client. */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface ReceivedEvent {
  readonly event: string;
  readonly data: string;
}

/** Sends the request and collects every event until the server ends the stream (bounded by `timeoutMs`). */
export async function collectEvents(url: string, init: RequestInit = {}, timeoutMs = 15_000): Promise<{ contentType: string | null; events: ReceivedEvent[] }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok || !response.body) {
    throw new Error(`${init.method ?? 'GET'} ${url}: HTTP ${response.status} ${await response.text()}`);
  }
  const events: ReceivedEvent[] = [];
  const parser = createParser({ onEvent: (message: EventSourceMessage) => events.push({ event: message.event ?? 'message', data: message.data }) });
  const decoder = new TextDecoder();
  for await (const chunk of response.body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
  }
  return { contentType: response.headers.get('content-type'), events };
}

/** The text of our generated module's `token` events, in order. */
export function tokenText(events: readonly ReceivedEvent[]): string {
  return events
    .filter((e) => e.event === 'token')
    .map((e) => (JSON.parse(e.data) as { text: string }).text)
    .join('');
}
