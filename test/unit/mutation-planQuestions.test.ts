/**
 * The add-endpoint questions at their edges: every title and choice offered, a cancelled question ending the
 * run, and the target taken without asking when there is one or none. Each test names the Stryker mutants it
 * kills (`npm run test:mutation -- plan`).
 */
import assert from 'node:assert/strict';
import { askAddEndpointRequest, type AddEndpointPrompts, type Choice, type Question } from '../../src/core/plan/addEndpointQuestions';

const MAIN = 'from fastapi import FastAPI\n\napp = FastAPI()\n';
const OTHER = 'from fastapi import APIRouter\n\nrouter = APIRouter(prefix="/r")\n';

/** Every question as asked (title, choices or initial text); `cancel` answers undefined to that question. */
function recording(cancel?: Question) {
  const asked: unknown[] = [];
  const prompts: AddEndpointPrompts = {
    async pick<T>(question: Question, title: string, choices: readonly Choice<T>[]) {
      asked.push({ question, title, choices: choices.map((c) => ({ ...c, value: JSON.stringify(c.value) })) });
      return question === cancel ? undefined : choices[question === 'source' ? 1 : 0]!.value;
    },
    async input(question: Question, title: string, initial: string) {
      asked.push({ question, title, initial });
      return question === cancel ? undefined : initial;
    },
  };
  return { prompts, asked };
}

describe('the add-endpoint questions as asked (mutation-tested)', () => {
  // Kills: each title, label and description emptied, a target's place (`line + 1`), the method order for a
  // POST default (`preferred === 'POST'` forced), the source choices read for the target's file.
  it('asks each question with its title and choices, the router target under its prefix', async () => {
    const { prompts, asked } = recording();
    const files = new Map([
      ['main.py', MAIN],
      ['other.py', OTHER],
    ]);
    const request = await askAddEndpointRequest(files, prompts, { activeFile: 'other.py' });
    assert.deepEqual(request, {
      target: { file: 'other.py', id: 'router' },
      protocol: 'sse',
      route: '/stream',
      method: 'GET',
      source: { kind: 'sdk', provider: 'anthropic' },
      resumable: false,
      onDisconnect: 'cancel',
    });
    assert.deepEqual(asked, [
      {
        question: 'target',
        title: 'Add the streaming endpoint to which app or router?',
        choices: [
          {
            label: 'router',
            description: 'other.py:3 · APIRouter (prefix /r)',
            value: '{"file":"other.py","id":"router","kind":"router","line":2,"description":"APIRouter (prefix /r)"}',
          },
          { label: 'app', description: 'main.py:3 · FastAPI app', value: '{"file":"main.py","id":"app","kind":"app","line":2,"description":"FastAPI app"}' },
        ],
      },
      {
        question: 'protocol',
        title: 'Which protocol does the endpoint speak?',
        choices: [
          { label: 'sse', description: 'Server-Sent Events token, reasoning, tool_call, done and error events (EventSource, fetch)', value: '"sse"' },
          {
            label: 'ai-sdk',
            description: "Vercel AI SDK UI message stream v1: a POST chat route that useChat's default transport reads as is",
            value: '"ai-sdk"',
          },
          {
            label: 'openai',
            description: 'OpenAI-compatible Chat Completions (stream true or false) for the OpenAI clients and compatible tools',
            value: '"openai"',
          },
        ],
      },
      { question: 'route', title: "Route path of the streaming endpoint, under the router's prefix /r (served at /r/...)", initial: '/stream' },
      {
        question: 'method',
        title: 'HTTP method',
        choices: [
          { label: 'GET', description: 'the prompt in the query string (?prompt=...); EventSource can call it', value: '"GET"' },
          { label: 'POST', description: 'a JSON body {"prompt": "..."} validated by a pydantic model', value: '"POST"' },
        ],
      },
      {
        question: 'source',
        title: 'Where do the tokens come from?',
        choices: [
          { label: 'demo', description: 'a canned reply, word by word: streams before any model is wired in', value: '{"kind":"demo"}' },
          { label: 'anthropic', description: 'Anthropic (Claude) through the anthropic SDK', value: '{"kind":"sdk","provider":"anthropic"}' },
          { label: 'openai', description: 'OpenAI Chat Completions through the openai SDK', value: '{"kind":"sdk","provider":"openai"}' },
          { label: 'groq', description: 'Groq through the groq SDK', value: '{"kind":"sdk","provider":"groq"}' },
        ],
      },
      {
        question: 'resumable',
        title: 'Plain or resumable stream?',
        choices: [
          { label: 'Plain stream', description: 'a dropped connection ends the answer', value: 'false' },
          {
            label: 'Resumable stream',
            description: 'a reconnect continues where it stopped, on any worker (Redis when REDIS_URL is set, else in process); a stop endpoint ends it',
            value: 'true',
          },
        ],
      },
      {
        question: 'onDisconnect',
        title: 'When the client leaves mid-answer?',
        choices: [
          { label: 'Cancel the answer', description: 'the model request stops at once, and with it the billing', value: '"cancel"' },
          {
            label: 'Finish the answer',
            description: "it runs to its end (within the answer time limit) so that the route's on_finish hook can save all of it",
            value: '"finish"',
          },
        ],
      },
    ]);
  });

  // Kills: a cancelled question ending the run (each `if (!answer) return undefined` emptied or forced false).
  it('a cancelled question ends the run, asking nothing after it', async () => {
    const order: Question[] = ['target', 'protocol', 'route', 'method', 'source', 'resumable', 'onDisconnect'];
    for (const [i, question] of order.entries()) {
      const { prompts, asked } = recording(question);
      const files = new Map([
        ['main.py', MAIN],
        ['other.py', OTHER],
      ]);
      assert.equal(await askAddEndpointRequest(files, prompts), undefined, question);
      assert.equal(asked.length, i + 1, question);
    }
  });

  // Kills: the target taken without asking when there is one (`targets.length === 1` forced either way or
  // inverted, its value emptied) and left out when there is none; asked only when there are several (`> 1`
  // forced or `>=`).
  it('one target is taken without asking; none gives a request without one', async () => {
    const one = recording();
    const request = await askAddEndpointRequest(new Map([['main.py', MAIN]]), one.prompts);
    assert.deepEqual(request?.target, { file: 'main.py', id: 'app' });
    assert.equal((one.asked[0] as { question: string }).question, 'protocol');
    const none = recording();
    const without = await askAddEndpointRequest(new Map(), none.prompts);
    assert.ok(without && !('target' in without), JSON.stringify(without));
  });

  // Kills: the route setting proposed for sse (`protocol === 'sse'` forced false or compared to ''), the plain
  // title on an app, and the user's generators offered: .py files only, the target's file first (the sort's
  // comparator), each name once, not demo_tokens, with the 1-based line in the description.
  it("proposes the route setting; offers the user's async generators, the target's file first, each once", async () => {
    const { prompts, asked } = recording();
    const files = new Map([
      ['other.py', 'async def shared():\n    yield 1\n\n\nasync def demo_tokens():\n    yield 1\n'],
      ['notes.txt', 'async def from_notes():\n    yield 1\n'],
      ['main.py', `${MAIN}\n\nasync def shared():\n    yield 1\n`],
    ]);
    await askAddEndpointRequest(files, prompts, { defaults: { route: '/custom' } });
    const route = asked.find((a) => (a as { question: string }).question === 'route');
    assert.deepEqual(route, { question: 'route', title: 'Route path of the streaming endpoint', initial: '/custom' });
    const source = asked.find((a) => (a as { question: string }).question === 'source') as { choices: Array<{ label: string; description: string }> };
    assert.deepEqual(source.choices.slice(4), [
      { label: 'shared', description: 'your async generator in main.py:6', value: '{"kind":"function","name":"shared"}' },
    ]);
  });
});
