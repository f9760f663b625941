/**
 * Calls whose answer is not text for a person to read as it arrives, so streaming it as text tokens would
 * send nothing useful: a forced tool call (the answer is the tool's input), a JSON `response_format`
 * (the caller parses the whole object), or a tiny `max_tokens` (a classifier's one-word label). They are
 * not `llm-not-streamed` findings, and the stream fix is not offered on them. Only what the call spells
 * with literals counts: a value the analysis cannot read leaves the call an ordinary text completion.
 */
import type { SyntaxNode } from '../parser';
import { children, keywordArgument, requiredField, stringValue } from '../syntax';
import type { LlmCall } from './detect';

/** At most this many output tokens is a label, not an answer worth streaming. */
export const CLASSIFIER_MAX_TOKENS = 16;

const MAX_TOKEN_ARGUMENTS = ['max_tokens', 'max_completion_tokens', 'max_output_tokens'];

/** Why the call's answer is structured (a phrase for a message), or undefined for a text answer. */
export function structuredAnswer(call: LlmCall): string | undefined {
  const toolChoice = keywordArgument(call.node, 'tool_choice');
  if (toolChoice && forcesTool(toolChoice)) {
    return 'it forces a tool call (tool_choice), so its answer is the tool input, not text';
  }
  const format = keywordArgument(call.node, 'response_format') ?? dictionaryEntry(keywordArgument(call.node, 'text'), 'format');
  const formatType = stringValue(dictionaryEntry(format, 'type'));
  if (formatType === 'json_schema' || formatType === 'json_object') {
    return `it asks for a JSON answer (${formatType}), which is parsed whole`;
  }
  for (const name of MAX_TOKEN_ARGUMENTS) {
    const value = keywordArgument(call.node, name);
    if (value?.type === 'integer' && Number(value.text.replaceAll('_', '')) <= CLASSIFIER_MAX_TOKENS) {
      return `${name}=${value.text} makes it a short label (a classifier), not an answer to stream`;
    }
  }
  return undefined;
}

/**
 * Anthropic `{"type": "tool", "name": ...}` or `{"type": "any"}`; OpenAI `"required"` or
 * `{"type": "function", ...}`. `"auto"` and `"none"` leave the model free to answer in text.
 */
function forcesTool(value: SyntaxNode): boolean {
  const literal = stringValue(value);
  if (literal !== undefined) {
    return literal === 'required' || literal === 'any';
  }
  const type = stringValue(dictionaryEntry(value, 'type'));
  return type === 'tool' || type === 'any' || type === 'function' || type === 'required';
}

/** The value of a string key in a dict literal (`{"type": ...}` or `dict(type=...)`), if written there. */
function dictionaryEntry(node: SyntaxNode | null | undefined, key: string): SyntaxNode | undefined {
  if (node?.type === 'dictionary') {
    // Its pairs, and any `**` entry or comment among them.
    for (const pair of children(node)) {
      if (pair.type === 'pair' && stringValue(requiredField(pair, 'key')) === key) {
        return requiredField(pair, 'value');
      }
    }
    return undefined;
  }
  if (node?.type === 'call' && requiredField(node, 'function').text === 'dict') {
    return keywordArgument(node, key);
  }
  return undefined;
}
