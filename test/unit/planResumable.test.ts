/**
 * `add-endpoint --resumable` in the planner: the package's resumable/ files beside the SSE core, imported by
 * their right names in both layouts, with the package's per-file guarantees (idempotent, an untouched older
 * version updated, an edited one kept, a foreign file refused), and the route that makes its events only once.
 */
import assert from 'node:assert/strict';
import { inspectGeneratedFile, withGeneratedHeader } from '../../src/core/codegen/python/generatedHeader';
import { renderPackageFiles } from '../../src/core/codegen/python/package';
import { planAddEndpoint, type AddEndpointPlan } from '../../src/core/plan/endpoint';
import { applyTextEdits } from '../../src/core/workspace/textEdit';

type Planned = Extract<AddEndpointPlan, { status: 'planned' }>;

function planned(plan: AddEndpointPlan): Planned {
  assert.equal(plan.status, 'planned', plan.status === 'refused' ? plan.message : plan.status);
  return plan as Planned;
}

function applied(files: Map<string, string>, plan: Planned): Map<string, string> {
  const next = new Map(files);
  for (const c of plan.changes) {
    next.set(c.path, applyTextEdits(c.before ?? '', c.edits));
  }
  return next;
}

const APP = 'from fastapi import FastAPI\n\napp = FastAPI()\n';
const packageLayout = () =>
  new Map([
    ['app/__init__.py', ''],
    ['app/main.py', APP],
  ]);
const RESUMABLE_NAMES = [
  'stream_tokens',
  'ResumableStreamResponse',
  'resumable_response',
  'stop_response',
  'until_stopped',
  'FinishResult',
  'with_on_finish',
] as const;

describe('planAddEndpoint --resumable', () => {
  it('writes the package with resumable/, importing it relatively, and a route that makes its events once', async () => {
    const plan = planned(await planAddEndpoint(packageLayout(), { resumable: true }));
    const expected = await renderPackageFiles(RESUMABLE_NAMES);
    assert.deepEqual(
      plan.changes.map((c) => [c.path, c.kind]),
      [...expected.map((file) => [`app/streaming/${file.path}`, 'create']), ['app/main.py', 'modify']],
    );
    assert.ok(expected.some((file) => file.path === 'resumable/response.py'));
    assert.equal(plan.endpoint.resumable, true);
    for (const file of expected) {
      const written = plan.changes.find((c) => c.path === `app/streaming/${file.path}`)!.after;
      assert.equal(written, file.text);
      assert.equal((await inspectGeneratedFile(written)).kind, 'untouched');
    }
    const main = plan.changes.at(-1)!.after;
    assert.ok(
      main.includes(
        'from .streaming.resumable.response import ResumableStreamResponse, resumable_response\nfrom .streaming.resumable.stopping import stop_response, until_stopped\nfrom .streaming.tokens import stream_tokens\n',
      ),
      main,
    );
    assert.ok(
      main.includes(
        [
          'async def stream(prompt: str = "Why is the sky blue?") -> ResumableStreamResponse:',
          '    """Stream the reply to the prompt as Server-Sent Events.',
        ].join('\n'),
      ),
      main,
    );
    assert.ok(
      main.endsWith(
        [
          '    """',
          '',
          '    # Called once, when a new stream starts; a reconnect replays the stored events.',
          '    def make_events() -> AsyncIterator[bytes]:',
          '        answer = with_on_finish(until_stopped(demo_tokens(prompt)), on_stream_finish)',
          '        return stream_tokens(answer)',
          '',
          '    return resumable_response(make_events)',
          '',
          '',
          '@app.post("/stream/{stream_id}/stop")',
          'async def stream_stop(stream_id: str) -> Response:',
          '    """Stop the stream ``stream_id``.',
          '',
          "    /stream's, on whichever worker writes it: the model's stream is",
          "    closed and every reader gets the answer's end. 200 once it ended,",
          '    409 if it had already ended, 404 for an unknown id.',
          '    """',
          '    return await stop_response(stream, stream_id)',
          '',
        ].join('\n'),
      ),
      main,
    );
    assert.ok(!main.includes('streaming_response'), 'nothing imported that the route does not use');
  });

  it('imports the package by its absolute name beside a top-level script', async () => {
    const plan = planned(await planAddEndpoint(new Map([['main.py', APP]]), { resumable: true }));
    assert.ok(plan.changes.some((c) => c.path === 'streaming/resumable/response.py'));
    assert.ok(
      plan.changes.find((c) => c.path === 'main.py')!.after.includes('from streaming.resumable.response import ResumableStreamResponse, resumable_response\n'),
    );
  });

  it('is idempotent: a second resumable route adds only what its source needs, and the first is already there', async () => {
    const files = applied(packageLayout(), planned(await planAddEndpoint(packageLayout(), { resumable: true })));
    const second = planned(await planAddEndpoint(files, { resumable: true, route: '/again' }));
    assert.deepEqual(
      second.changes.map((c) => c.path),
      ['app/main.py'],
    );
    const withSdk = planned(await planAddEndpoint(files, { resumable: true, route: '/again', source: { kind: 'sdk', provider: 'openai' } }));
    assert.ok(
      withSdk.changes.every((c) => c.path === 'app/main.py' || c.path.startsWith('app/streaming/providers/')),
      withSdk.changes.map((c) => c.path).join(),
    );
    const main = withSdk.changes.at(-1)!.after;
    // The paid call is made inside make_events only: never on a reconnect.
    assert.ok(main.includes('    def make_events() -> AsyncIterator[bytes]:\n        chunks = openai_client().chat.completions.create('), main);
    assert.equal((await planAddEndpoint(applied(files, second), { resumable: true })).status, 'already-present');
  });

  it('updates an untouched older resumable/response.py, keeps an edited one, refuses an edited one missing a name and a foreign one', async () => {
    const base = applied(packageLayout(), planned(await planAddEndpoint(packageLayout(), { resumable: true })));
    const file = 'app/streaming/resumable/response.py';
    const current = base.get(file)!;

    const older = new Map(base).set(
      file,
      await withGeneratedHeader(`${current.split('\n').slice(4).join('\n')}\n# older\n`, { generator: 'Catalyst Streaming', version: '0.0.1' }),
    );
    const update = planned(await planAddEndpoint(older, { resumable: true, route: '/b' }));
    const updated = update.changes.find((c) => c.path === file);
    assert.equal(updated?.kind, 'update');
    assert.equal(updated.after, current);

    const edited = new Map(base).set(file, current.replace('\n__all__', '\n# mine\n__all__'));
    assert.notEqual(edited.get(file), current);
    const kept = planned(await planAddEndpoint(edited, { resumable: true, route: '/c' }));
    assert.ok(!kept.changes.some((c) => c.path === file));
    assert.ok(kept.notes.some((n) => n.startsWith(`${file} was edited since it was generated`)));

    const broken = new Map(base).set(file, current.replace(/def resumable_response\(/g, 'def renamed_response('));
    const refusal = await planAddEndpoint(broken, { resumable: true, route: '/d' });
    assert.equal(refusal.status, 'refused');
    assert.match((refusal as { message: string }).message, /no longer defines resumable_response/);

    const foreign = new Map(packageLayout()).set(file, '"""Mine."""\n');
    const refusedForeign = await planAddEndpoint(foreign, { resumable: true });
    assert.equal(refusedForeign.status, 'refused');
    assert.equal((refusedForeign as { reason: string }).reason, 'module-conflict');
  });

  it('leaves a plain endpoint exactly as before: no resumable files, the usual imports', async () => {
    const plan = planned(await planAddEndpoint(packageLayout()));
    assert.ok(!plan.changes.some((c) => c.path.includes('resumable')));
    assert.equal(plan.endpoint.resumable, false);
    assert.ok(
      plan.changes
        .at(-1)!
        .after.includes('from .streaming.response import EventStreamResponse, streaming_response\nfrom .streaming.tokens import stream_tokens\n'),
    );
  });
});
