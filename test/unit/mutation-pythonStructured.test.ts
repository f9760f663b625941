/**
 * structuredAnswer (src/core/python/llm/structuredAnswer.ts): the reason given for each kind of structured answer,
 * and the spellings of a forced tool call and a dict it reads. Each case names the Stryker mutants it kills
 * (`npm run test:mutation -- python --mutate src/core/python/llm/structuredAnswer.ts`).
 */
import assert from 'node:assert/strict';
import { findLlmCalls } from '../../src/core/python/llm/detect';
import { structuredAnswer } from '../../src/core/python/llm/structuredAnswer';
import { parsePython } from '../../src/core/python/parser';

const HEAD = 'from openai import AsyncOpenAI\n\noa = AsyncOpenAI()\n\n\nasync def f() -> object:\n    return await ';

async function reason(call: string): Promise<string | undefined> {
  const tree = await parsePython(`${HEAD}${call}\n`);
  try {
    const [found] = findLlmCalls(tree);
    assert.ok(found, `no LLM call found in ${call}`);
    return structuredAnswer(found);
  } finally {
    tree.delete();
  }
}

const create = (args: string) => `oa.chat.completions.create(model="m", messages=[], ${args})`;

describe('structuredAnswer (mutation-tested)', () => {
  // Kills: the three reasons (-> '' or ``) and `replaceAll('_', '')` ('' / another string: 1_6 is 16).
  it('says why: a forced tool, a JSON answer, a short label (digits grouped with _)', async () => {
    assert.equal(await reason(create('tool_choice="required"')), 'it forces a tool call (tool_choice), so its answer is the tool input, not text');
    assert.equal(await reason(create('response_format={"type": "json_object"}')), 'it asks for a JSON answer (json_object), which is parsed whole');
    assert.equal(await reason(create('max_tokens=1_6')), 'max_tokens=1_6 makes it a short label (a classifier), not an answer to stream');
  });

  // Kills: the string "any" and the dict type "required" (each -> false, -> ''), the dict's pair check (a `**`
  // entry and a comment among the entries: -> true, `||`, `pair?.type`, the key check -> true), and `dict(...)`
  // only (the function's text -> true: `other(type=...)` is no dict).
  it('reads "any", {"type": "required"}, dicts with ** entries and comments, and dict(...) only', async () => {
    const forced = 'it forces a tool call (tool_choice), so its answer is the tool input, not text';
    assert.equal(await reason(create('tool_choice="any"')), forced);
    assert.equal(await reason(create('tool_choice={"type": "required"}')), forced);
    assert.equal(await reason(create('tool_choice={**extra,  # more\n        "name": "t", "type": "tool"}')), forced);
    assert.equal(await reason(create('tool_choice={"name": "any", "type": "auto"}')), undefined);
    assert.equal(await reason(create('response_format=other(type="json_object")')), undefined);
  });
});
