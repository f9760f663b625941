/** The stream's other parts: its reasoning (the tail) and its tool calls, each section shown once it has content. */
import type { PreviewModel as Model } from '../protocol/preview';
import type { ToolCallView } from '../protocol/stream';
import { formatSize, h, icon, setText } from './dom';

/** Characters of reasoning and of one tool call's arguments drawn (the model keeps more). */
const PART_SHOWN = 4 * 1024;

export class PartsView {
  readonly reasoningSection = h('div', { className: 'reasoning-section' });
  readonly toolSection = h('div', { className: 'tool-section' });
  private readonly reasoning = h('pre', { className: 'reasoning-text' });
  private readonly reasoningNote = h('div', { className: 'hidden-note' });
  private readonly toolList = h('ol', { className: 'tool-calls' });
  private readonly toolNote = h('div', { className: 'hidden-note' });

  constructor() {
    this.reasoningSection.append(h('h2', {}, icon('lightbulb'), h('span', { text: 'Reasoning' })), this.reasoningNote, this.reasoning);
    this.toolSection.append(h('h2', {}, icon('tools'), h('span', { text: 'Tool calls' })), this.toolList, this.toolNote);
    this.reasoningSection.hidden = true;
    this.toolSection.hidden = true;
  }

  /** Redrawn only when the parts changed (Changes.parts). */
  render(model: Model): void {
    this.reasoningSection.hidden = model.reasoning === '';
    const shown = model.reasoning.slice(-PART_SHOWN);
    setText(this.reasoning, shown);
    const hidden = model.reasoningDropped + model.reasoning.length - shown.length;
    setText(this.reasoningNote, hidden > 0 ? `${hidden.toLocaleString('en-US')} earlier characters not shown` : '');
    this.reasoningNote.hidden = hidden <= 0;
    this.toolSection.hidden = model.toolCalls.length === 0;
    this.toolList.replaceChildren(...model.toolCalls.map(toolCallItem));
    setText(this.toolNote, model.toolCallsOmitted > 0 ? `…and ${model.toolCallsOmitted.toLocaleString('en-US')} more (not kept)` : '');
    this.toolNote.hidden = model.toolCallsOmitted === 0;
  }
}

/** One tool call: its name and id, whether its arguments are complete, and the arguments (pretty once parsed). */
function toolCallItem(call: ToolCallView): HTMLElement {
  let args = call.arguments;
  if (call.done && 'input' in call) {
    args = JSON.stringify(call.input, null, 2);
  }
  const cut = args.length > PART_SHOWN ? `${args.slice(0, PART_SHOWN)}… (${formatSize(args.length)})` : args;
  const dropped = call.argumentsDropped ? ` … (${call.argumentsDropped.toLocaleString('en-US')} more characters not kept)` : '';
  return h(
    'li',
    { className: `tool-call ${call.done ? 'tool-call-done' : 'tool-call-streaming'}`, attrs: { 'data-id': call.id } },
    h(
      'div',
      { className: 'tool-call-head' },
      h('strong', { className: 'tool-call-name', text: call.name }),
      h('span', { className: 'tool-call-id', text: call.id }),
      h('span', { className: 'badge tool-call-state', text: call.done ? 'complete' : 'streaming…' }),
    ),
    h('pre', { className: 'tool-call-arguments', text: cut + dropped }),
  );
}
