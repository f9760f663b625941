/**
 * `add-endpoint --resumable` in the planner: the resumable module beside the streaming module, imported by its
 * right name in both layouts, with the streaming module's guarantees (idempotent, an untouched older version
 * updated, an edited one kept, a foreign file refused), and the route that makes its events only once.
 */
import assert from 'node:assert/strict';
import { inspectGeneratedFile } from '../../src/core/codegen/python/generatedHeader';
import { renderResumableModule } from '../../src/core/codegen/python/templates/resumable.py';
import { planAddEndpoint, type AddEndpointPlan } from '../../src/core/plan/addEndpoint';
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

describe('planAddEndpoint --resumable', () => {
  it('creates resumable.py beside streaming.py, importing it relatively, and a route that makes its events once', async () => {
    const plan = planned(await planAddEndpoint(packageLayout(), { resumable: true }));
    assert.deepEqual(
      plan.changes.map((c) => [c.path, c.kind]),
      [
        ['app/streaming.py', 'create'],
        ['app/resumable.py', 'create'],
        ['app/main.py', 'modify'],
      ],
    );
    assert.equal(plan.endpoint.resumable, true);
    const resumable = plan.changes[1]!.after;
    assert.equal(resumable, await renderResumableModule({ streamingImport: '.streaming' }));
    assert.equal((await inspectGeneratedFile(resumable)).kind, 'untouched');
    const main = plan.changes[2]!.after;
    assert.ok(main.includes('from .resumable import ResumableStreamResponse, resumable_response\nfrom .streaming import stream_tokens\n'), main);
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
          '        return stream_tokens(demo_tokens(prompt))',
          '',
          '    return resumable_response(make_events)',
          '',
        ].join('\n'),
      ),
      main,
    );
    assert.ok(!main.includes('streaming_response'), 'nothing imported that the route does not use');
  });

  it('imports the streaming module by its absolute name beside a top-level script', async () => {
    const plan = planned(await planAddEndpoint(new Map([['main.py', APP]]), { resumable: true }));
    const resumable = plan.changes.find((c) => c.path === 'resumable.py')!.after;
    assert.ok(resumable.includes('\nfrom streaming import DEFAULT_PING_INTERVAL, EventStreamResponse, format_sse\n'));
    assert.ok(plan.changes.find((c) => c.path === 'main.py')!.after.includes('from resumable import ResumableStreamResponse, resumable_response\n'));
  });

  it('is idempotent: a second resumable route changes only the app module, and the first is already there', async () => {
    const files = applied(packageLayout(), planned(await planAddEndpoint(packageLayout(), { resumable: true })));
    const second = planned(await planAddEndpoint(files, { resumable: true, route: '/again', source: { kind: 'sdk', provider: 'openai' } }));
    assert.deepEqual(
      second.changes.map((c) => c.path),
      ['app/main.py'],
    );
    assert.ok(second.notes.includes('app/resumable.py is already up to date.'), second.notes.join('\n'));
    const main = second.changes[0]!.after;
    // The paid call is made inside make_events only: never on a reconnect.
    assert.ok(main.includes('    def make_events() -> AsyncIterator[bytes]:\n        chunks = openai_client().chat.completions.create('), main);
    assert.equal((await planAddEndpoint(applied(files, second), { resumable: true })).status, 'already-present');
  });

  it('updates an untouched older resumable.py, keeps an edited one, refuses an edited one missing a name and a foreign one', async () => {
    const base = applied(packageLayout(), planned(await planAddEndpoint(packageLayout(), { resumable: true })));
    const current = base.get('app/resumable.py')!;

    // An untouched module generated from another template (here: another import line) is replaced by the current one.
    const older = new Map(base).set('app/resumable.py', await renderResumableModule({ streamingImport: 'app.streaming' }));
    const update = planned(await planAddEndpoint(older, { resumable: true, route: '/b' }));
    const updated = update.changes.find((c) => c.path === 'app/resumable.py');
    assert.equal(updated?.kind, 'update');
    assert.equal(updated.after, current);

    const edited = new Map(base).set('app/resumable.py', current.replace('DEFAULT_KEEP_FOR = 600.0', 'DEFAULT_KEEP_FOR = 60.0'));
    const kept = planned(await planAddEndpoint(edited, { resumable: true, route: '/c' }));
    assert.ok(!kept.changes.some((c) => c.path === 'app/resumable.py'));
    assert.ok(kept.notes.some((n) => n.startsWith('app/resumable.py was edited since it was generated')));

    const broken = new Map(base).set('app/resumable.py', current.replace('def resumable_response(', 'def renamed_response('));
    const refusal = await planAddEndpoint(broken, { resumable: true, route: '/d' });
    assert.equal(refusal.status, 'refused');
    assert.match((refusal as { message: string }).message, /no longer defines resumable_response/);

    const foreign = new Map(packageLayout()).set('app/resumable.py', '"""Mine."""\n');
    const refusedForeign = await planAddEndpoint(foreign, { resumable: true });
    assert.equal(refusedForeign.status, 'refused');
    assert.equal((refusedForeign as { reason: string }).reason, 'module-conflict');
  });

  it('leaves a plain endpoint exactly as before: no resumable module, the usual imports', async () => {
    const plan = planned(await planAddEndpoint(packageLayout()));
    assert.deepEqual(
      plan.changes.map((c) => c.path),
      ['app/streaming.py', 'app/main.py'],
    );
    assert.equal(plan.endpoint.resumable, false);
    assert.ok(plan.changes[1]!.after.includes('from .streaming import EventStreamResponse, stream_tokens, streaming_response\n'));
  });
});
