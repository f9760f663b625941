/**
 * `catalyst-streaming generate streaming-module`: through main(argv, io) for every case, and once through the
 * built dist/cli.js as a user runs it (npm test builds it first).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { renderPackageFiles } from '../../src/core/codegen/python/package';
import { renderStreamingModule } from '../../src/core/codegen/python/templates/streaming.py';
import { CATALYST_VERSION } from '../../src/core/version';
import { loadExeca } from '../support/execa';
import { withTempDir } from '../support/tempdir';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function cli(argv: readonly string[], cwd = process.cwd()): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd });
  return { code, stdout, stderr };
}

describe('catalyst-streaming generate (main)', () => {
  it('prints exactly the rendered module', async () => {
    const run = await cli(['generate', 'streaming-module']);
    assert.equal(run.code, 0);
    assert.equal(run.stdout, await renderStreamingModule());
    assert.equal(run.stderr, '');
  });

  it('--out writes the same bytes, creating parent folders, and says where', async () => {
    await withTempDir('generate-cli', async (dir) => {
      const run = await cli(['generate', 'streaming-module', '--out', 'app/lib/streaming.py'], dir);
      assert.equal(run.code, 0);
      assert.equal(run.stdout, '');
      assert.equal(run.stderr, `Wrote ${path.join('app', 'lib', 'streaming.py')}\n`);
      assert.equal(await readFile(path.join(dir, 'app/lib/streaming.py'), 'utf8'), await renderStreamingModule());
    });
  });

  it('--out over an existing file replaces it whole, keeping its mode, through a link to it', async () => {
    await withTempDir('generate-cli-replace', async (dir) => {
      await writeFile(path.join(dir, 'real.py'), 'old contents\n');
      await chmod(path.join(dir, 'real.py'), 0o600);
      await symlink('real.py', path.join(dir, 'streaming.py'));
      const run = await cli(['generate', 'streaming-module', '--out', 'streaming.py'], dir);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(await readFile(path.join(dir, 'real.py'), 'utf8'), await renderStreamingModule());
      assert.equal((await stat(path.join(dir, 'real.py'))).mode & 0o777, 0o600);
      assert.equal(await readlink(path.join(dir, 'streaming.py')), 'real.py');
      assert.deepEqual((await readdir(dir)).sort(), ['real.py', 'streaming.py'], 'no temp file left');
    });
  });

  it('--ping-interval sets the default idle time', async () => {
    const run = await cli(['generate', 'streaming-module', '--ping-interval', '2.5']);
    assert.equal(run.code, 0);
    assert.equal(run.stdout, await renderStreamingModule({ pingInterval: 2.5 }));
  });

  it('exits 2 with a message on a bad --ping-interval', async () => {
    for (const value of ['0', '-3', 'soon', 'Infinity']) {
      const run = await cli(['generate', 'streaming-module', `--ping-interval=${value}`]);
      assert.equal(run.code, 2, value);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /--ping-interval must be a positive number of seconds/);
    }
  });

  it('exits 2 naming the problem on unknown options, unknown or missing artifacts and extra arguments', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['generate', 'streaming-module', '--bogus'], /Unknown option '--bogus'[\s\S]*catalyst-streaming generate --help/],
      [['generate', 'streaming-module', '--out'], /--out/],
      [['generate', 'route'], /unknown argument "route"; expected one of: streaming-module/],
      [['generate'], /missing what to generate; expected one of: streaming-module/],
      [['generate', 'streaming-module', 'extra'], /unknown argument "extra"/],
    ];
    for (const [argv, message] of cases) {
      const run = await cli(argv);
      assert.equal(run.code, 2, argv.join(' '));
      assert.equal(run.stdout, '', argv.join(' '));
      assert.match(run.stderr, message, argv.join(' '));
    }
  });

  it('package --out DIR writes the files the names need, byte for byte what the planner writes, all of them without names', async () => {
    await withTempDir('generate-package', async (dir) => {
      const run = await cli(['generate', 'package', '--out', 'app/streaming', 'stream_tokens', 'ui_message_stream_response', '--python', '3.12'], dir);
      assert.equal(run.code, 0, run.stderr);
      const expected = await renderPackageFiles(['stream_tokens', 'ui_message_stream_response'], { pythonTarget: { major: 3, minor: 12 } });
      assert.ok(expected.some((file) => file.path === 'protocols/ai_sdk.py'));
      for (const file of expected) {
        assert.equal(await readFile(path.join(dir, 'app/streaming', file.path), 'utf8'), file.text, file.path);
      }
      assert.equal(run.stderr.split('\n').filter(Boolean).length, expected.length);
      assert.equal(existsSync(path.join(dir, 'app/streaming/providers')), false, 'only what the names need');
      const all = await cli(['generate', 'package', '--out', 'everything'], dir);
      assert.equal(all.code, 0, all.stderr);
      for (const file of ['tokens.py', 'partial.py', 'providers/anthropic.py', 'providers/langchain.py', 'protocols/openai_chat.py']) {
        assert.ok(existsSync(path.join(dir, 'everything', file)), file);
      }
    });
  });

  it('package exits 2 without --out, on an unknown name or a bad --python', async () => {
    for (const argv of [
      ['generate', 'package'],
      ['generate', 'package', '--out', 'x', 'no_such_name'],
      ['generate', 'package', '--out', 'x', '--python', '2.7'],
    ]) {
      const run = await cli(argv);
      assert.equal(run.code, 2, argv.join(' '));
      assert.match(run.stderr, /--out DIR|not a name of the streaming package: no_such_name|--python must be/);
    }
  });

  it('--help documents the verb and its options', async () => {
    const run = await cli(['generate', '--help']);
    assert.equal(run.code, 0);
    for (const text of ['generate streaming-module', '--out FILE', '--ping-interval SECONDS']) {
      assert.ok(run.stdout.includes(text), text);
    }
  });

  it('top level: usage without a command (exit 2), --help (0), --version, unknown command (2)', async () => {
    const none = await cli([]);
    assert.equal(none.code, 2);
    assert.match(none.stdout, /Usage: catalyst-streaming <command>[\s\S]*generate/);
    assert.equal((await cli(['--help'])).code, 0);
    assert.deepEqual(await cli(['--version']), { code: 0, stdout: `${CATALYST_VERSION}\n`, stderr: '' });
    const unknown = await cli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
  });
});

describe('catalyst-streaming generate (built dist/cli.js)', function () {
  this.timeout(30_000);
  const built = path.resolve(__dirname, '../../dist/cli.js');

  before(function () {
    if (!existsSync(built)) {
      throw new Error(`${built} is missing: build it first (npm run build; npm test does)`);
    }
  });

  it('writes with --out exactly what it prints, and what renderStreamingModule returns', async () => {
    const execa = await loadExeca();
    await withTempDir('generate-bin', async (dir) => {
      const printed = await execa(process.execPath, [built, 'generate', 'streaming-module'], { cwd: dir, stripFinalNewline: false });
      const written = await execa(process.execPath, [built, 'generate', 'streaming-module', '--out', 'streaming.py'], { cwd: dir });
      assert.equal(written.exitCode, 0);
      const file = await readFile(path.join(dir, 'streaming.py'));
      assert.deepEqual(file, Buffer.from(printed.stdout, 'utf8'));
      // A stale build fails here rather than passing on old output.
      assert.equal(file.toString('utf8'), await renderStreamingModule());
    });
  });

  it('exits 2 on unknown arguments', async () => {
    const execa = await loadExeca();
    const result = await execa(process.execPath, [built, 'generate', 'streaming-module', '--frobnicate'], { reject: false });
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, /Unknown option '--frobnicate'/);
    assert.equal(result.stdout, '');
  });
});
