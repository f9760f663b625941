import assert from 'node:assert/strict';
import { askAddEndpointRequest, type AddEndpointPrompts, type Choice, type Question } from '../../src/core/plan/addEndpointQuestions';

/** Canned answers, recording what was asked and offered. */
function cannedPrompts(answers: Partial<Record<Question, (choices: readonly Choice<unknown>[]) => unknown>>, routeTyping: readonly string[] = []) {
  const asked: Array<{ question: Question; labels?: string[]; validation?: Array<string | undefined>; title?: string }> = [];
  const prompts: AddEndpointPrompts = {
    async pick<T>(question: Question, _title: string, choices: readonly Choice<T>[]) {
      asked.push({ question, labels: choices.map((c) => c.label) });
      const answer = answers[question];
      return (answer ? answer(choices as readonly Choice<unknown>[]) : choices[0]?.value) as T | undefined;
    },
    async input(question: Question, title: string, initial: string, validate: (value: string) => string | undefined) {
      asked.push({ question, validation: routeTyping.map(validate), ...(title === 'Route path of the streaming endpoint' ? {} : { title }) });
      const answer = answers[question];
      return answer ? (answer([]) as string | undefined) : initial;
    },
  };
  return { prompts, asked };
}

const MAIN =
  'from fastapi import APIRouter, FastAPI\n\napp = FastAPI()\nrouter = APIRouter(prefix="/r")\n\n\n@app.get("/taken")\nasync def taken() -> None: ...\n\n\nasync def my_tokens(prompt: str):\n    yield prompt\n';
const OTHER = 'from fastapi import FastAPI\n\napi = FastAPI()\n';

describe('askAddEndpointRequest', () => {
  it('asks for target, protocol, route, method and source, offering the active file first and validating the route live', async () => {
    const files = new Map([
      ['other.py', OTHER],
      ['main.py', MAIN],
    ]);
    const { prompts, asked } = cannedPrompts({ source: (choices) => choices.find((c) => c.label === 'my_tokens')!.value }, ['/ok', 'no-slash', '/taken']);
    const request = await askAddEndpointRequest(files, prompts, { activeFile: 'main.py', defaults: { method: 'POST', moduleLocation: 'lib' } });
    assert.deepEqual(asked[0], { question: 'target', labels: ['app', 'router', 'api'] });
    assert.deepEqual(asked[1], { question: 'protocol', labels: ['sse', 'ai-sdk', 'openai'] });
    asked.splice(1, 1);
    assert.equal(asked[1]!.question, 'route');
    assert.deepEqual(asked[1]!.validation, [
      undefined,
      'a route path starts with "/" (got "no-slash")',
      '/taken is already served by GET in main.py:7 (taken)',
    ]);
    assert.deepEqual(asked[2], { question: 'method', labels: ['POST', 'GET'] });
    assert.deepEqual(asked[3]!.labels, ['demo', 'anthropic', 'openai', 'groq', 'my_tokens']);
    assert.deepEqual(request, {
      target: { file: 'main.py', id: 'app' },
      protocol: 'sse',
      route: '/stream',
      method: 'POST',
      source: { kind: 'function', name: 'my_tokens' },
      resumable: false,
      onDisconnect: 'cancel',
      moduleLocation: 'lib',
    });
    assert.deepEqual(asked[4], { question: 'resumable', labels: ['Plain stream', 'Resumable stream'] });
    assert.deepEqual(asked[5], { question: 'onDisconnect', labels: ['Cancel the answer', 'Finish the answer'] });
  });

  it('asks what happens when the client leaves only for a plain stream from a model, and passes the answer time limit on', async () => {
    const files = new Map([['main.py', MAIN]]);
    const base = { target: { file: 'main.py', id: 'app' }, protocol: 'sse', route: '/x', method: 'GET' } as const;
    const model = cannedPrompts({ onDisconnect: (choices) => choices[1]!.value });
    const request = await askAddEndpointRequest(files, model.prompts, {
      given: { ...base, source: { kind: 'sdk', provider: 'anthropic' }, resumable: false },
      defaults: { maxAnswerDuration: 600 },
    });
    assert.equal(request?.onDisconnect, 'finish');
    assert.equal(request?.maxAnswerDuration, 600);
    for (const given of [
      { ...base, source: { kind: 'demo' }, resumable: false },
      { ...base, source: { kind: 'sdk', provider: 'openai' }, resumable: true },
    ] as const) {
      const { prompts, asked } = cannedPrompts({});
      const answered = await askAddEndpointRequest(files, prompts, { given });
      assert.deepEqual(asked, [], JSON.stringify(given));
      assert.equal(answered?.onDisconnect, undefined);
    }
    const cancelled = cannedPrompts({ onDisconnect: () => undefined });
    assert.equal(
      await askAddEndpointRequest(files, cancelled.prompts, { given: { ...base, source: { kind: 'sdk', provider: 'groq' }, resumable: false } }),
      undefined,
    );
  });

  it('asks nothing that was given, and stops when a question is cancelled', async () => {
    const files = new Map([['main.py', MAIN]]);
    const given = { target: { file: 'main.py', id: 'app' }, protocol: 'sse', route: '/x', method: 'GET', source: { kind: 'demo' }, resumable: false } as const;
    const { prompts, asked } = cannedPrompts({});
    assert.deepEqual(await askAddEndpointRequest(files, prompts, { given }), given);
    assert.deepEqual(asked, []);
    const cancelled = cannedPrompts({ method: () => undefined });
    assert.equal(await askAddEndpointRequest(files, cancelled.prompts, { given: { route: '/x', protocol: 'sse' } }), undefined);
    assert.deepEqual(
      cancelled.asked.map((a) => a.question),
      ['target', 'method'],
    );
  });

  it('a chat protocol proposes its own path and asks no method (its route is POST); the setting orders the protocols', async () => {
    const files = new Map([['main.py', MAIN]]);
    const { prompts, asked } = cannedPrompts({ target: (choices) => choices[0]!.value });
    const request = await askAddEndpointRequest(files, prompts, { defaults: { protocol: 'openai', route: '/custom', method: 'GET' } });
    assert.deepEqual(asked[1], { question: 'protocol', labels: ['openai', 'sse', 'ai-sdk'] });
    assert.deepEqual(
      asked.map((a) => a.question),
      ['target', 'protocol', 'route', 'source', 'resumable'],
    );
    assert.equal(request?.protocol, 'openai');
    assert.equal(request?.route, '/v1/chat/completions');
    assert.equal(request?.method, 'POST');
    const aiSdk = cannedPrompts({ target: (choices) => choices[0]!.value, protocol: () => 'ai-sdk' });
    assert.equal((await askAddEndpointRequest(files, aiSdk.prompts))?.route, '/api/chat');
  });

  it('validates the route against a router with its prefixes', async () => {
    const files = new Map([['main.py', `${MAIN}\n\n@router.get("/x")\nasync def x() -> None: ...\n\n\napp.include_router(router, prefix="/v1")\n`]]);
    const { prompts, asked } = cannedPrompts({ target: (choices) => choices.find((c) => c.label === 'router')!.value }, ['/x', '/y']);
    await askAddEndpointRequest(files, prompts);
    assert.deepEqual(asked[2]!.validation, ['/v1/r/x is already served by GET in main.py:15 (x)', undefined]);
    // The question names the prefix the typed path goes under (the app's own routes have none: asked[1] above).
    assert.equal(asked[2]!.title, "Route path of the streaming endpoint, under the router's prefix /v1/r (served at /v1/r/...)");
  });

  it('offers only the user’s own async generators: not those of generated files, not private ones', async () => {
    const generated = [
      '# Generated by Catalyst Streaming 0.2.0. This file is yours: edit it freely.',
      '# catalyst-streaming: generated version=0.2.0',
      '# Catalyst updates this file only while its code matches this checksum:',
      '# code-sha256=0000',
      'async def stream_tokens(source):',
      '    yield source',
      '',
    ].join('\r\n');
    const files = new Map([
      ['main.py', `${MAIN}\n\nasync def _texts(parts):\n    yield parts\n`],
      ['streaming/encoders.py', generated],
      ['tokens.py', 'async def answer_tokens(prompt: str):\n    yield prompt\n\n\nasync def _private(prompt: str):\n    yield prompt\n'],
    ]);
    const { prompts, asked } = cannedPrompts({ target: (choices) => choices[0]!.value });
    await askAddEndpointRequest(files, prompts, { given: { protocol: 'sse', route: '/s', method: 'GET' } });
    assert.deepEqual(asked.find((a) => a.question === 'source')!.labels, ['demo', 'anthropic', 'openai', 'groq', 'my_tokens', 'answer_tokens']);
  });
});
