/**
 * The generated streaming package's decisions at their edges: what a module path would shadow, which package
 * files are written, kept or refused, the imports of the package's names, and one generated file's decision.
 * Each test names the Stryker mutants it kills (`npm run test:mutation -- plan`).
 */
import assert from 'node:assert/strict';
import { withGeneratedHeader } from '../../src/core/codegen/python/generatedHeader';
import { renderPackageFiles } from '../../src/core/codegen/python/package';
import { analyzePythonModule } from '../../src/core/python/analysis';
import { PythonWorkspace } from '../../src/core/python/workspace';
import { moduleShadowing } from '../../src/core/plan/moduleShadowing';
import { decideGeneratedModule, readPingInterval, type GeneratedModuleTemplate } from '../../src/core/plan/streamingModule';
import { decideStreamingPackage, generatedFileChange, packageImports } from '../../src/core/plan/streamingPackage';

const STAMP = { generator: 'Catalyst Streaming', version: '0.1.0' };

describe('moduleShadowing (mutation-tested)', () => {
  const shadowing = (files: string[], file: string, asPackage = false) => {
    const workspace = new PythonWorkspace(new Map(files.map((f) => [f, ''])));
    try {
      return moduleShadowing(workspace, file, { asPackage });
    } finally {
      workspace.dispose();
    }
  };

  // Kills: the sibling package check (its message, `asPackage` ignored), folderWithPython's `__init__.py` first and
  // its scan for any .py file under the folder (prefix with '/', `.py` only).
  it('a package of the same name beside the module, by its __init__.py or any Python file in it', () => {
    assert.equal(
      shadowing(['app/__init__.py', 'app/streaming/x.py', 'app/streaming/__init__.py'], 'app/streaming.py'),
      'the package app/streaming/ (app/streaming/__init__.py), which Python imports instead of app/streaming.py',
    );
    assert.equal(shadowing(['app/__init__.py', 'app/streaming/__init__.py'], 'app/streaming.py', true), undefined, 'the package itself');
    assert.equal(
      shadowing(['lib/streaming/x.py', 'lib/streaming/notes.txt'], 'lib/streaming.py'),
      'the package lib/streaming/ (lib/streaming/x.py), which Python imports instead of lib/streaming.py',
    );
    assert.equal(shadowing(['lib/streaming/notes.txt', 'lib/streamingx.py'], 'lib/streaming.py'), undefined);
  });

  // Kills: the in-package early answer (`dottedName.includes('.')`), the standard-library check and its message.
  it("a top-level module named like the standard library's; inside a package never", () => {
    assert.equal(shadowing(['main.py'], 'json.py'), "the standard library's json module, which json.py would hide from every module of the app");
    assert.equal(shadowing(['app/__init__.py'], 'app/json.py'), undefined);
  });

  // Kills: the loop over the import roots (the workspace folder and the module's own root; its own folder
  // skipped), the module and the package there, and their messages.
  it('a module or package of the same name in the other folder on the import path', () => {
    assert.equal(
      shadowing(['streaming.py', 'src/main.py'], 'src/streaming.py'),
      'streaming.py, which is on the import path too: one of the two would be imported for both',
    );
    assert.equal(
      shadowing(['streaming/__init__.py', 'src/main.py'], 'src/streaming.py'),
      'the package streaming/ (streaming/__init__.py), which is on the import path too',
    );
    assert.equal(shadowing(['src/main.py'], 'src/streaming.py'), undefined);
    assert.equal(shadowing(['streaming.py'], 'streaming.py'), undefined, 'itself');
  });
});

describe('packageImports, generatedFileChange (mutation-tested)', () => {
  // Kills: the names deduplicated, grouped by submodule, the groups sorted (both comparator sides), and the
  // refusal of a name the package does not define.
  it('one import per submodule, sorted, each name once', () => {
    assert.deepEqual(packageImports('.streaming', ['stream_tokens', 'format_sse', 'EventStreamResponse', 'stream_tokens', 'streaming_response']), [
      { module: '.streaming.events', names: ['format_sse'] },
      { module: '.streaming.response', names: ['EventStreamResponse', 'streaming_response'] },
      { module: '.streaming.tokens', names: ['stream_tokens'] },
    ]);
    assert.deepEqual(packageImports('app.streaming', ['stream_tokens', 'format_sse']), [
      { module: 'app.streaming.events', names: ['format_sse'] },
      { module: 'app.streaming.tokens', names: ['stream_tokens'] },
    ]);
    assert.throws(() => packageImports('.streaming', ['nope']), { message: 'internal error: nope is not a name of the streaming package' });
  });

  // Kills: each decision's change (create, update with its whole-text edit and version, the two notes) and the
  // refusal that must never reach it.
  it('the change or the note each decision makes', () => {
    assert.deepEqual(generatedFileChange('s/a.py', undefined, { action: 'create', text: 'x\n' }, 'streaming package file'), {
      path: 's/a.py',
      kind: 'create',
      after: 'x\n',
      edits: [{ start: 0, end: 0, newText: 'x\n' }],
      description: 'create the streaming package file s/a.py',
    });
    assert.deepEqual(generatedFileChange('s/a.py', 'old\n', { action: 'update', text: 'new\n', fromVersion: '0.1.0' }, 'k'), {
      path: 's/a.py',
      kind: 'update',
      before: 'old\n',
      after: 'new\n',
      edits: [{ start: 0, end: 4, newText: 'new\n' }],
      description: 'update s/a.py (generated by Catalyst Streaming 0.1.0, never edited) to the current version',
    });
    assert.deepEqual(generatedFileChange('s/a.py', 'x', { action: 'keep', reason: 'identical' }, 'k'), { note: 's/a.py is already up to date.' });
    assert.deepEqual(generatedFileChange('s/a.py', 'x', { action: 'keep', reason: 'edited' }, 'k'), {
      note: "s/a.py was edited since it was generated, so it is left as it is (it does not receive this version's fixes); it still defines everything the endpoint imports.",
    });
    assert.throws(() => generatedFileChange('s/a.py', 'x', { action: 'refuse', message: 'no' }, 'thing'), {
      message: 'internal error: a refused thing decision reached the plan',
    });
  });
});

describe('decideGeneratedModule, readPingInterval (mutation-tested)', () => {
  const template = (text: string): GeneratedModuleTemplate => ({ relocate: 'Move it.', render: () => Promise.resolve(text) });

  // Kills: create with the line ending asked for, the foreign refusal and its message, an edited module's
  // missing names (one, several: 'it'/'them') and its keep, an untouched module kept when identical, updated
  // (with its version) otherwise, in its own line ending.
  it('create, refuse, keep or update, by the header', async () => {
    assert.deepEqual(await decideGeneratedModule('m.py', undefined, '\r\n', [], template('a = 1\nb = 2\n')), { action: 'create', text: 'a = 1\r\nb = 2\r\n' });
    assert.deepEqual(await decideGeneratedModule('m.py', 'x = 1\n', '\n', [], template('')), {
      action: 'refuse',
      message: 'm.py exists and was not generated by Catalyst Streaming (it has no generated header), so it is left alone. Move it.',
    });
    const untouched = await withGeneratedHeader('a = 1\n', STAMP);
    const edited = `${untouched}b = 2\n`;
    assert.deepEqual(await decideGeneratedModule('m.py', edited, '\n', ['a', 'c'], template('')), {
      action: 'refuse',
      message:
        'm.py was edited since it was generated, so it is not updated, and it no longer defines c, which the new endpoint needs. Restore it, or delete the file to have it generated afresh.',
    });
    const missingTwo = await decideGeneratedModule('m.py', edited, '\n', ['c', 'd'], template(''));
    assert.match(missingTwo.action === 'refuse' ? missingTwo.message : '', /no longer defines c, d, which the new endpoint needs\. Restore them,/);
    assert.deepEqual(await decideGeneratedModule('m.py', edited, '\n', ['a', 'b'], template('')), { action: 'keep', reason: 'edited' });
    assert.deepEqual(await decideGeneratedModule('m.py', untouched, '\n', [], template(untouched)), { action: 'keep', reason: 'identical' });
    const crlf = untouched.replace(/\n/g, '\r\n');
    assert.deepEqual(await decideGeneratedModule('m.py', crlf, '\n', [], template(untouched)), { action: 'keep', reason: 'identical' });
    assert.deepEqual(await decideGeneratedModule('m.py', untouched, '\r\n', [], template('new = 1\n')), {
      action: 'update',
      text: 'new = 1\n',
      fromVersion: '0.1.0',
    });
  });

  // Kills: the statement filter, the name check, the float and integer value types, and the positive check.
  it('reads DEFAULT_PING_INTERVAL as a positive number, or nothing', async () => {
    const read = async (text: string) => {
      const analysis = await analyzePythonModule(text);
      try {
        return readPingInterval(analysis);
      } finally {
        analysis.dispose();
      }
    };
    assert.equal(await read('x = 1\nDEFAULT_PING_INTERVAL = 2.5\n'), 2.5);
    assert.equal(await read('DEFAULT_PING_INTERVAL = 20\n'), 20);
    assert.equal(await read('DEFAULT_PING_INTERVAL = 0.0\n'), undefined);
    assert.equal(await read('DEFAULT_PING_INTERVAL = "15"\n'), undefined);
    assert.equal(await read('OTHER = 3.0\n'), undefined);
    assert.equal(await read('def f():\n    DEFAULT_PING_INTERVAL = 3.0\n'), undefined);
  });
});

describe('decideStreamingPackage (mutation-tested)', () => {
  const paths = (changes: readonly { path: string }[]) => changes.map((c) => c.path).sort();

  // Kills: the unknown-name check (names and importedNames), and the files only other modules import: created
  // when missing, never touched when present (`existing !== undefined && !needed.has(path)`).
  it('writes the files the names need and creates those other modules import; leaves those alone once there', async () => {
    await assert.rejects(() => decideStreamingPackage({ folder: 's', names: ['nope'], read: () => undefined, eol: '\n' }), {
      message: 'internal error: not names of the streaming package: nope',
    });
    await assert.rejects(() => decideStreamingPackage({ folder: 's', names: ['nope'], importedNames: ['zap'], read: () => undefined, eol: '\n' }), {
      message: 'internal error: not names of the streaming package: nope, zap',
    });
    const fresh = await decideStreamingPackage({ folder: 's', names: ['format_sse'], importedNames: ['stream_tokens'], read: () => undefined, eol: '\n' });
    assert.equal(fresh.status, 'planned');
    const created = fresh.status === 'planned' ? paths(fresh.changes) : [];
    assert.ok(created.includes('s/events.py') && created.includes('s/tokens.py'), created.join(', '));
    const events = fresh.status === 'planned' ? fresh.changes.find((c) => c.path === 's/events.py') : undefined;
    assert.equal(events?.description, 'create the streaming package file s/events.py');
    const present = new Map([['s/tokens.py', 'whatever the owner wrote\n']]);
    const kept = await decideStreamingPackage({ folder: 's', names: ['format_sse'], importedNames: ['stream_tokens'], read: (f) => present.get(f), eol: '\n' });
    assert.ok(kept.status === 'planned' && !paths(kept.changes).includes('s/tokens.py'));
  });

  // Kills: the refusal of a file that is not ours, the note for an edited file (and none for an identical one),
  // the names a file must define (an edited file missing one is refused), and the ping interval of an untouched
  // response.py carried into the update.
  it('refuses a file that is not ours, keeps an edited one with a note, and keeps the ping interval', async () => {
    const files = new Map((await renderPackageFiles(['format_sse'])).map((f) => [`s/${f.path}`, f.text]));
    const foreign = new Map([...files, ['s/events.py', 'x = 1\n']]);
    const refused = await decideStreamingPackage({ folder: 's', names: ['format_sse'], read: (f) => foreign.get(f), eol: '\n' });
    assert.equal(refused.status, 'refused');
    assert.match(
      refused.status === 'refused' ? refused.message : '',
      /^s\/events\.py exists and was not generated by Catalyst Streaming .* Choose another location for the streaming package/,
    );
    const edited = new Map([...files, ['s/events.py', `${files.get('s/events.py')!}\nEXTRA = 1\n`]]);
    const keptEdited = await decideStreamingPackage({ folder: 's', names: ['format_sse'], read: (f) => edited.get(f), eol: '\n' });
    assert.deepEqual(keptEdited, {
      status: 'planned',
      changes: [],
      notes: [
        "s/events.py was edited since it was generated, so it is left as it is (it does not receive this version's fixes); it still defines everything the endpoint imports.",
      ],
    });
    const lost = new Map([...files, ['s/events.py', `${files.get('s/events.py')!.replace('def format_sse(', 'def my_format_sse(')}`]]);
    const refusedLost = await decideStreamingPackage({ folder: 's', names: ['format_sse'], read: (f) => lost.get(f), eol: '\n' });
    assert.match(refusedLost.status === 'refused' ? refusedLost.message : '', /no longer defines format_sse/);
    // An untouched response.py made with a 5-second ping is updated (its text differs) keeping 5 seconds.
    const old = new Map((await renderPackageFiles(['EventStreamResponse'], { pingInterval: 5 })).map((f) => [`s/${f.path}`, f.text]));
    old.set('s/response.py', old.get('s/response.py')!.replace('version=0.', 'version=0.0.').replace('Streaming 0.', 'Streaming 0.0.'));
    const update = await decideStreamingPackage({ folder: 's', names: ['EventStreamResponse'], read: (f) => old.get(f), eol: '\n' });
    const response = update.status === 'planned' ? update.changes.find((c) => c.path === 's/response.py') : undefined;
    assert.match(response?.after ?? '', /^DEFAULT_PING_INTERVAL = 5\.0$/m);
  });
});
