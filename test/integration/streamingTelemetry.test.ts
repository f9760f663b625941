/**
 * OpenTelemetry for event streams (issue #21 item 12), on a real uvicorn (test/fixtures/streaming/check_telemetry.py):
 * on the current stack, with the real opentelemetry-sdk and its in-memory exporter, each stream wrapped in
 * `traced_stream` is one span, a child of FastAPI 0.165's own request span (never a trace of its own), with the
 * GenAI attributes and the stream's figures, its outcome (completed, error, client left, stopped by a shutdown)
 * and a span event per resume. On the oldest stack, without OpenTelemetry, `traced_stream` returns the events
 * unchanged and every stream still works.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { loadExeca } from '../support/execa';
import { pythonStack, type StackName } from '../support/python';
import { STREAMING_FIXTURES } from '../support/streamingApp';
import { writeGeneratedStreaming } from '../support/streamingPackage';
import { makeTempDir } from '../support/tempdir';

interface Span {
  readonly name: string;
  readonly kind: string;
  readonly trace: number;
  readonly id: number;
  readonly parent: number | null;
  readonly attributes: Record<string, unknown>;
  readonly events: ReadonlyArray<readonly [string, Record<string, unknown>]>;
  readonly status: string;
}

interface Report {
  readonly ok: string;
  readonly fail: string;
  readonly resumed: string;
  readonly spans?: readonly Span[];
  readonly unchanged?: boolean;
}

async function probe(stack: StackName, mode: 'otel' | 'plain'): Promise<Report> {
  const dir = await makeTempDir('streaming-telemetry');
  try {
    await writeGeneratedStreaming(dir);
    const execa = await loadExeca();
    const python = (await pythonStack(stack).interpreter()).command;
    const { stdout } = await execa(python, [path.join(STREAMING_FIXTURES, 'check_telemetry.py'), mode], {
      cwd: dir,
      env: { PYTHONPATH: dir },
      timeout: 60_000,
    });
    return JSON.parse(stdout) as Report;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const DONE = 'event: done\ndata: {"text":"ab","token_count":2,"finish_reason":"completed"}\n\n';

describe('stream telemetry with opentelemetry-sdk [current stack]', function () {
  this.timeout(90_000);
  let report: Report;
  let spans: readonly Span[];
  const streamSpans = () => spans.filter((s) => s.kind === 'INTERNAL' && !s.name.startsWith('fastapi.'));
  const byId = (id: number | null) => spans.find((s) => s.id === id);

  before(async () => {
    report = await probe('current', 'otel');
    spans = report.spans ?? [];
  });

  it('makes one span per stream, each a child of the request span FastAPI made, in its trace', () => {
    const streams = streamSpans();
    assert.deepEqual(
      streams.map((s) => s.name),
      ['chat test-model', 'chat', 'endless', 'resumable', 'endless'],
    );
    for (const span of streams) {
      const parent = byId(span.parent);
      assert.ok(parent, `${span.name} has a parent span`);
      assert.equal(parent.kind, 'SERVER', `${span.name}'s parent is the request span`);
      assert.equal(parent.trace, span.trace);
    }
  });

  it('records the GenAI attributes and the figures of a completed stream', () => {
    const span = streamSpans()[0]!;
    assert.equal(report.ok.endsWith(DONE), true);
    assert.deepEqual(
      {
        operation: span.attributes['gen_ai.operation.name'],
        model: span.attributes['gen_ai.request.model'],
        input: span.attributes['gen_ai.usage.input_tokens'],
        output: span.attributes['gen_ai.usage.output_tokens'],
        finish: span.attributes['gen_ai.response.finish_reasons'],
        events: span.attributes['catalyst.stream.events'],
        bytes: span.attributes['catalyst.stream.bytes'],
        outcome: span.attributes['catalyst.stream.outcome'],
        resumes: span.attributes['catalyst.stream.resumes'],
      },
      {
        operation: 'chat',
        model: 'test-model',
        input: 3,
        output: 2,
        finish: ['stop'],
        events: 3,
        bytes: Buffer.byteLength(report.ok),
        outcome: 'completed',
        resumes: 0,
      },
    );
    assert.equal(typeof span.attributes['catalyst.stream.time_to_first_event'], 'number');
    assert.equal(typeof span.attributes['catalyst.stream.largest_gap'], 'number');
    assert.equal(span.status, 'UNSET');
  });

  it('says how each stream ended: error (the error event), client left, stopped by a shutdown', () => {
    const [, failed, left, , stopped] = streamSpans();
    assert.ok(report.fail.includes('event: error\n'));
    assert.deepEqual([failed!.attributes['catalyst.stream.outcome'], failed!.status], ['error', 'ERROR']);
    assert.equal(left!.attributes['catalyst.stream.outcome'], 'client_left');
    assert.equal(stopped!.attributes['catalyst.stream.outcome'], 'stopped');
  });

  it('counts a resume on the stream span, with a span event there and on the resume request span', () => {
    const resumable = streamSpans()[3]!;
    assert.ok(report.resumed.endsWith(DONE), report.resumed);
    assert.equal(resumable.attributes['catalyst.stream.resumes'], 1);
    assert.deepEqual(resumable.events, [['catalyst.stream.resume', { 'catalyst.stream.resume_after': 1 }]]);
    const resumeRequests = spans.filter((s) => s.kind === 'SERVER' && s.events.length > 0);
    assert.deepEqual(
      resumeRequests.map((s) => [s.name, s.events]),
      [['GET /resumable', [['catalyst.stream.resume', { 'catalyst.stream.resume_after': 1 }]]]],
    );
  });

  it('never records a stream id (whoever holds one can read the stream)', () => {
    const id = /^id: ([0-9a-f]{32}):/.exec(report.resumed)?.[1];
    assert.ok(id);
    assert.equal(JSON.stringify(spans).includes(id), false);
  });
});

describe('stream telemetry without OpenTelemetry [oldest stack]', function () {
  this.timeout(90_000);

  it('returns the events unchanged, and every stream still works', async () => {
    const report = await probe('oldest', 'plain');
    assert.equal(report.unchanged, true);
    assert.ok(report.ok.endsWith(DONE));
    assert.ok(report.fail.includes('event: error\n'));
    assert.ok(report.resumed.endsWith(DONE), report.resumed);
  });
});
