/**
 * `catalyst-streaming generate package` (and the retired `generate streaming-module`): through main(argv, io)
 * for every case, and once through the built dist/cli.js as a user runs it (npm test builds it first).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { renderPackageFiles } from '../../src/core/codegen/python/package';
import { CATALYST_VERSION } from '../../src/core/version';
import { loadExeca } from '../support/execa';
import { ALL_PACKAGE_NAMES } from '../support/streamingPackage';
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
  it('streaming-module (retired with the single module) exits 2, writes nothing, and names generate package with the folder', async () => {
    await withTempDir('generate-cli-retired', async (dir) => {
      for (const [argv, folder] of [
        [['generate', 'streaming-module'], 'streaming'],
        [['generate', 'streaming-module', '--out', 'app/lib/streaming.py', '--ping-interval', '2.5'], 'app/lib/streaming'],
        [['generate', 'streaming-module', '--out', "my app/it's.py"], `'my app/it'\\''s'`],
      ] as const) {
        const run = await cli(argv, dir);
        assert.equal(run.code, 2, argv.join(' '));
        assert.equal(run.stdout, '');
        assert.match(run.stderr, /no longer writes the single streaming\.py of 0\.1 and 0\.2: the generated code is now the streaming\/ package/);
        assert.ok(run.stderr.includes(`Write it with: catalyst-streaming generate package --out ${folder} [NAME...]\n`), run.stderr);
        assert.match(run.stderr, /migrated to the package, imports included, by add-endpoint/);
      }
      assert.deepEqual(await readdir(dir), [], 'nothing written');
    });
  });

  it('package --out writes the files, creating parent folders, and says where, one line a file', async () => {
    await withTempDir('generate-cli', async (dir) => {
      const run = await cli(['generate', 'package', '--out', 'app/lib/streaming', 'stream_tokens'], dir);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, '');
      const expected = await renderPackageFiles(['stream_tokens']);
      assert.equal(run.stderr, expected.map((file) => `Wrote ${path.join('app', 'lib', 'streaming', ...file.path.split('/'))}\n`).join(''));
      for (const file of expected) {
        assert.equal(await readFile(path.join(dir, 'app/lib/streaming', file.path), 'utf8'), file.text, file.path);
      }
    });
  });

  it('package --out over an existing file replaces it whole, keeping its mode, through a link to it', async () => {
    await withTempDir('generate-cli-replace', async (dir) => {
      await mkdir(path.join(dir, 'streaming'));
      await writeFile(path.join(dir, 'real.py'), 'old contents\n');
      await chmod(path.join(dir, 'real.py'), 0o600);
      await symlink('../real.py', path.join(dir, 'streaming', 'tokens.py'));
      const run = await cli(['generate', 'package', '--out', 'streaming', 'stream_tokens'], dir);
      assert.equal(run.code, 0, run.stderr);
      const tokens = (await renderPackageFiles(['stream_tokens'])).find((file) => file.path === 'tokens.py')!;
      assert.equal(await readFile(path.join(dir, 'real.py'), 'utf8'), tokens.text);
      assert.equal((await stat(path.join(dir, 'real.py'))).mode & 0o777, 0o600);
      assert.equal(await readlink(path.join(dir, 'streaming', 'tokens.py')), '../real.py');
      assert.deepEqual((await readdir(dir)).sort(), ['real.py', 'streaming'], 'no temp file left');
    });
  });

  it('--ping-interval sets the default idle time', async () => {
    await withTempDir('generate-cli-ping', async (dir) => {
      const run = await cli(['generate', 'package', '--out', 'streaming', '--ping-interval', '2.5', 'streaming_response'], dir);
      assert.equal(run.code, 0, run.stderr);
      const response = (await renderPackageFiles(['streaming_response'], { pingInterval: 2.5 })).find((file) => file.path === 'response.py')!;
      assert.equal(await readFile(path.join(dir, 'streaming', 'response.py'), 'utf8'), response.text);
      assert.match(response.text, /^DEFAULT_PING_INTERVAL = 2\.5$/m);
    });
  });

  it('exits 2 with a message on a bad --ping-interval, and writes nothing', async () => {
    await withTempDir('generate-cli-bad-ping', async (dir) => {
      for (const value of ['0', '-3', 'soon', 'Infinity']) {
        const run = await cli(['generate', 'package', '--out', 'streaming', `--ping-interval=${value}`], dir);
        assert.equal(run.code, 2, value);
        assert.equal(run.stdout, '');
        assert.match(run.stderr, /--ping-interval must be a positive number of seconds/);
      }
      assert.deepEqual(await readdir(dir), []);
    });
  });

  it('exits 2 naming the problem on unknown options, unknown or missing artifacts and extra arguments', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['generate', 'streaming-module', '--bogus'], /Unknown option '--bogus'[\s\S]*catalyst-streaming generate --help/],
      [['generate', 'package', '--out'], /--out/],
      [['generate', 'route'], /unknown argument "route"; expected one of: package, streaming-module/],
      [['generate'], /missing what to generate; expected one of: package, streaming-module/],
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

  it('--help documents the verb, its options, and what became of streaming-module', async () => {
    const run = await cli(['generate', '--help']);
    assert.equal(run.code, 0);
    for (const text of ['generate package --out DIR', '--out DIR', '--python 3.X', '--ping-interval SECONDS', 'streaming-module: retired']) {
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

  it('writes with package --out exactly what renderPackageFiles returns, and refuses streaming-module with exit 2', async () => {
    const execa = await loadExeca();
    await withTempDir('generate-bin', async (dir) => {
      const written = await execa(process.execPath, [built, 'generate', 'package', '--out', 'streaming'], { cwd: dir });
      assert.equal(written.exitCode, 0);
      // A stale build fails here rather than passing on old output.
      for (const file of await renderPackageFiles(ALL_PACKAGE_NAMES)) {
        assert.equal(await readFile(path.join(dir, 'streaming', file.path), 'utf8'), file.text, file.path);
      }
      const retired = await execa(process.execPath, [built, 'generate', 'streaming-module', '--out', 'streaming.py'], { cwd: dir, reject: false });
      assert.equal(retired.exitCode, 2);
      assert.match(retired.stderr, /generate package --out streaming /);
      assert.equal(existsSync(path.join(dir, 'streaming.py')), false);
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
