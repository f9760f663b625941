/** Host messages for tests of the preview model: a batch with nothing in it but what the test sets. */
import type { HostMessage } from '../../src/protocol/preview';
import type { StreamStats } from '../../src/protocol/stream';

export type BatchMessage = Extract<HostMessage, { type: 'batch' }>;

/** Stats no reducer test reads. */
export const noStats = { events: 0 } as unknown as StreamStats;

export const batchMessage = (fields: Partial<BatchMessage>): BatchMessage => ({
  type: 'batch',
  run: 0,
  events: [],
  text: '',
  textReplaced: false,
  textFormat: 'catalyst',
  protocol: null,
  reasoning: '',
  toolCalls: [],
  toolCallsOmitted: 0,
  notices: [],
  stats: noStats,
  ...fields,
});
