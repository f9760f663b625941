/**
 * asyncClientRefusal (src/core/python/llm/asyncClientSafety.ts): each reason the async client cannot replace a sync
 * one, asked directly. Each case names the Stryker mutants it kills
 * (`npm run test:mutation -- python --mutate src/core/python/llm/asyncClientSafety.ts`).
 */
import assert from 'node:assert/strict';
import { asyncClientRefusal } from '../../src/core/python/llm/asyncClientSafety';
import { findLlmCalls } from '../../src/core/python/llm/detect';
import { parsePython } from '../../src/core/python/parser';

const CALL = 'client.chat.completions.create(model="m", messages=[])';

/** The refusal for the first LLM call of `source`, weighed against all of them. */
async function refusal(source: string, shared: ReadonlySet<string> = new Set()): Promise<string | undefined> {
  const tree = await parsePython(source);
  try {
    const calls = findLlmCalls(tree);
    assert.ok(calls[0], 'no LLM call found');
    return asyncClientRefusal(calls[0], calls, shared);
  } finally {
    tree.delete();
  }
}

describe('asyncClientRefusal (mutation-tested)', () => {
  // Kills: `client.cls.async` -> false and its reason -> ''.
  it('an async client is already async', async () => {
    assert.equal(
      await refusal(`from openai import AsyncOpenAI\n\nclient = AsyncOpenAI()\n\n\nasync def f() -> object:\n    return await ${CALL}\n`),
      'the client is already async',
    );
  });

  // Kills: the context-manager check (-> false, 'as_pattern' -> '') and its reason.
  it('a client used as a synchronous context manager', async () => {
    const source = `from openai import OpenAI\n\n\nasync def f() -> object:\n    with OpenAI() as client:\n        return ${CALL}\n`;
    assert.equal(await refusal(source), 'the client is used as a synchronous context manager');
  });

  // Kills: the calls on the same client only (filter removed, its check -> true), a call at module level
  // (`!other.function` -> false, its reason) and the synchronous function's name (its `?.`, '?').
  it('the same client called at module level, or in a synchronous function, by name', async () => {
    const head = `from openai import OpenAI\n\nclient = OpenAI()\nother = OpenAI()\n\n\nasync def f() -> object:\n    return ${CALL}\n\n\n`;
    assert.equal(await refusal(`${head}result = ${CALL}\n`), 'the client is also called at module level, where nothing can await');
    assert.equal(
      await refusal(`${head}def helper() -> object:\n    return ${CALL}\n`),
      'the client is also called in the synchronous function "helper", whose callers would have to await it',
    );
    assert.equal(await refusal(`${head}result = ${CALL.replace('client.', 'other.')}\n`), undefined);
  });

  // Kills: topLevelHolder's decorated function ('definition' -> '', the decorated check -> false), the function
  // check (-> false, 'function_definition' -> '', emptied) and its name, and the shared-name check (-> true).
  it('a client made in a top-level (decorated) function or held by a module variable that other modules import', async () => {
    const factory = `import functools\nfrom openai import OpenAI\n\n\n@functools.cache\nasync def answer() -> object:\n    client = OpenAI()\n    return ${CALL}\n`;
    const holder = `from openai import OpenAI\n\nclient = OpenAI()\n\n\nasync def f() -> object:\n    return ${CALL}\n`;
    const sharedReason = (name: string) => `"${name}" is also imported by other modules, whose calls on the client would have to be awaited too`;
    assert.equal(await refusal(holder, new Set(['client'])), sharedReason('client'));
    assert.equal(await refusal(holder, new Set(['other'])), undefined);
    assert.equal(await refusal(factory, new Set(['answer'])), sharedReason('answer'));
  });
});
