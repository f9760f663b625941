/** The generated package: its name table against the files' `__all__`, the closure of a route's files, targets. */
import assert from 'node:assert/strict';
import { inspectGeneratedFile } from '../../src/core/codegen/python/generatedHeader';
import { countPackageLines, PACKAGE_EXPORTS, PACKAGE_NAMES, renderPackageFiles, type PackageName } from '../../src/core/codegen/python/package';
import { moduleFile, PACKAGE_SOURCES } from '../../src/core/codegen/python/package/packageSources';
import { forPythonTarget } from '../../src/core/codegen/python/package/pythonTarget';
import { parsePython } from '../../src/core/python/parser';
import { CATALYST_VERSION } from '../../src/core/version';

const PLAIN_SSE: PackageName[] = ['stream_tokens', 'streaming_response', 'EventStreamResponse'];
/** Every name whose module is in the package today (the resumable subpackage comes with its own files). */
const PRESENT_NAMES = PACKAGE_NAMES.filter((name) => moduleFile(PACKAGE_EXPORTS[name]) !== undefined);

/** The strings of a module's `__all__` list, read with tree-sitter. */
async function dunderAll(text: string): Promise<string[] | undefined> {
  const tree = await parsePython(text);
  try {
    for (const statement of tree.rootNode.children) {
      const assignment = statement?.type === 'expression_statement' ? statement.firstNamedChild : null;
      if (assignment?.type !== 'assignment' || assignment.childForFieldName('left')?.text !== '__all__') continue;
      const list = assignment.childForFieldName('right');
      return list?.namedChildren.flatMap((item) => (item?.type === 'string' ? [item.text.slice(1, -1)] : [])) ?? [];
    }
    return undefined;
  } finally {
    tree.delete();
  }
}

function modulePath(file: string): string {
  return file
    .replace(/(\/)?__init__\.py$/, '')
    .replace(/\.py$/, '')
    .split('/')
    .join('.');
}

describe('the generated package', () => {
  it("PACKAGE_EXPORTS is exactly what each module's __all__ lists, and every public module has an __all__", async () => {
    for (const [file, text] of PACKAGE_SOURCES) {
      const names = await dunderAll(text);
      const module = modulePath(file);
      const expected = Object.entries(PACKAGE_EXPORTS)
        .filter(([, owner]) => owner === module)
        .map(([name]) => name)
        .sort();
      const isPrivateOrInit = file.endsWith('__init__.py') || file.split('/').some((part) => part.startsWith('_'));
      if (isPrivateOrInit) {
        assert.equal(names, undefined, `${file} exports nothing`);
        assert.deepEqual(expected, [], `${file} is private: nothing is imported from it`);
      } else {
        assert.deepEqual([...(names ?? [])].sort(), expected, `${file}'s __all__`);
      }
    }
    const missing = PACKAGE_NAMES.filter((name) => !PRESENT_NAMES.includes(name));
    assert.ok(
      missing.every((name) => PACKAGE_EXPORTS[name].startsWith('resumable.')),
      `names without a module: ${missing.join(', ')}`,
    );
  });

  it('writes for plain SSE exactly the files those names reach, and no protocol or provider', async () => {
    const files = await renderPackageFiles(PLAIN_SSE);
    assert.deepEqual(
      files.map((file) => file.path),
      // finish.py: parts.py's Usage, the provider's report a source may yield.
      ['__init__.py', 'events.py', 'finish.py', 'parts.py', 'response.py', 'tokens.py'],
    );
  });

  it("follows each file's relative imports: an AI SDK route gets protocols/, an adapter only providers/", async () => {
    assert.deepEqual(
      (await renderPackageFiles(['ui_message_stream_response', 'UIChatRequest'])).map((file) => file.path),
      ['__init__.py', 'events.py', 'finish.py', 'parts.py', 'response.py', 'protocols/__init__.py', 'protocols/_common.py', 'protocols/ai_sdk.py'],
    );
    assert.deepEqual(
      (await renderPackageFiles(['openai_text_stream'])).map((file) => file.path),
      ['__init__.py', 'finish.py', 'parts.py', 'providers/__init__.py', 'providers/_adapter.py', 'providers/openai.py'],
    );
    assert.deepEqual(
      (await renderPackageFiles(['langchain_text_stream'])).map((file) => file.path),
      ['__init__.py', 'finish.py', 'parts.py', 'providers/__init__.py', 'providers/langchain.py'],
    );
  });

  it('writes every file for every name, and refuses a name it does not have', async () => {
    const files = await renderPackageFiles(PRESENT_NAMES);
    assert.deepEqual(files.map((file) => file.path).sort(), [...PACKAGE_SOURCES.keys()].sort());
    await assert.rejects(renderPackageFiles(['no_such_name' as PackageName]), /not a name of the generated package/);
  });

  it('is deterministic: the same names (in any order) and options give the same bytes', async () => {
    const once = await renderPackageFiles(PLAIN_SSE);
    assert.deepEqual(await renderPackageFiles([...PLAIN_SSE].reverse()), once);
    assert.deepEqual(
      await renderPackageFiles(PRESENT_NAMES, { pythonTarget: { major: 3, minor: 12 } }),
      await renderPackageFiles(PRESENT_NAMES, { pythonTarget: { major: 3, minor: 12 } }),
    );
  });

  it('stamps each file with its own header and checksum, and below it is the source file as it is', async () => {
    for (const file of await renderPackageFiles(PRESENT_NAMES)) {
      const lines = file.text.split('\n');
      assert.equal(lines[0], `# Generated by Catalyst Streaming ${CATALYST_VERSION}. This file is yours: edit it freely.`, file.path);
      assert.deepEqual(await inspectGeneratedFile(file.text), { kind: 'untouched', version: CATALYST_VERSION }, file.path);
      assert.equal(lines.slice(4).join('\n'), PACKAGE_SOURCES.get(file.path), file.path);
      assert.ok(!file.text.includes('\r') && file.text.endsWith('\n') && !file.text.endsWith('\n\n'), file.path);
    }
  });

  it('writes the ping interval into response.py only, as a Python float, and refuses one that is not positive', async () => {
    const standard = await renderPackageFiles(PRESENT_NAMES);
    const custom = await renderPackageFiles(PRESENT_NAMES, { pingInterval: 2.5 });
    const changed = custom.filter((file, i) => file.text !== standard[i]!.text).map((file) => file.path);
    assert.deepEqual(changed, ['response.py']);
    assert.match(custom.find((file) => file.path === 'response.py')!.text, /^DEFAULT_PING_INTERVAL = 2\.5$/m);
    assert.match(
      (await renderPackageFiles(PLAIN_SSE, { pingInterval: 30 })).find((file) => file.path === 'response.py')!.text,
      /^DEFAULT_PING_INTERVAL = 30\.0$/m,
    );
    for (const pingInterval of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await assert.rejects(renderPackageFiles(PLAIN_SSE, { pingInterval }), RangeError, String(pingInterval));
    }
  });

  it('writes Optional/Union for 3.9 and X | None / A | B for 3.10 and later, dropping the typing imports left unused', async () => {
    const oldest = await renderPackageFiles(PRESENT_NAMES, { pythonTarget: { major: 3, minor: 9 } });
    assert.ok(oldest.some((file) => file.text.includes('Optional[')) && oldest.some((file) => file.text.includes('Union[')));
    for (const minor of [10, 12, 13]) {
      for (const file of await renderPackageFiles(PRESENT_NAMES, { pythonTarget: { major: 3, minor } })) {
        assert.doesNotMatch(file.text, /\b(Optional|Union)\[/, `${file.path} for 3.${minor}`);
        assert.doesNotMatch(file.text, /^from typing import .*\b(Optional|Union)\b/m, `${file.path} for 3.${minor}`);
        assert.deepEqual(await inspectGeneratedFile(file.text), { kind: 'untouched', version: CATALYST_VERSION });
      }
    }
    const common = (await renderPackageFiles(['UIChatRequest'], { pythonTarget: { major: 3, minor: 10 } })).find(
      (file) => file.path === 'protocols/_common.py',
    )!;
    assert.match(common.text, /^OptionalText = StrictStr \| None$/m);
    assert.match(common.text, /^from typing import Any$/m);
    const parts = (await renderPackageFiles(['TokenSource'], { pythonTarget: { major: 3, minor: 10 } })).find((file) => file.path === 'parts.py')!;
    assert.match(parts.text, /^TokenSource = AsyncIterable\[str \| StreamPart\]$/m);
  });

  it('lays out a rewritten alias too long for one line as the formatters do', async () => {
    const openai = (await renderPackageFiles(['openai_text_stream'], { pythonTarget: { major: 3, minor: 12 } })).find(
      (file) => file.path === 'providers/openai.py',
    )!;
    assert.ok(
      openai.text.includes(
        '_ChatCompletionStream = (\n    AsyncEventStream[_ChatCompletionChunk]\n    | Awaitable[AsyncEventStream[_ChatCompletionChunk]]\n)\n',
      ),
    );
    assert.ok(openai.text.includes('_ResponsesStream = (\n    AsyncEventStream[TypedEvent] | Awaitable[AsyncEventStream[TypedEvent]]\n)\n'));
  });

  it('uses anyio for its concurrency in every file, never asyncio (one style for all generated files)', async () => {
    // resumable/_runner.py starts the one task that hosts the producers with asyncio (anyio cannot start a task
    // that outlives its caller); resumablePackage.test.ts pins exactly those uses.
    for (const [file, text] of PACKAGE_SOURCES) {
      if (file === 'resumable/_runner.py') continue;
      const tree = await parsePython(text);
      try {
        const imported = tree.rootNode
          .descendantsOfType(['import_statement', 'import_from_statement'])
          .flatMap((statement) => (statement === null ? [] : [statement.text]));
        assert.deepEqual(
          imported.filter((statement) => /^(import|from)\s+asyncio\b/.test(statement)),
          [],
          `${file} imports asyncio`,
        );
      } finally {
        tree.delete();
      }
    }
  });

  it('keeps every file within 350 lines, and counts the lines a set of names writes', async () => {
    for (const file of await renderPackageFiles(PRESENT_NAMES)) {
      assert.ok(file.text.split('\n').length - 1 <= 350, `${file.path} has ${file.text.split('\n').length - 1} lines`);
    }
    const files = await renderPackageFiles(PLAIN_SSE);
    assert.equal(
      await countPackageLines(PLAIN_SSE),
      files.reduce((sum, file) => sum + file.text.split('\n').length - 1, 0),
    );
  });
});

describe('forPythonTarget', () => {
  const source = [
    'from __future__ import annotations',
    '',
    'from typing import Any, Optional, Union',
    '',
    'Text = Optional[Union[int, str]]',
    'Pair = tuple[Union[int, None], Any]',
    '',
    '',
    'def f(value: Optional[int] = None) -> Union[int, str]:',
    '    return value or ""',
    '',
  ].join('\n');

  it('leaves 3.9 alone', async () => {
    assert.equal(await forPythonTarget(source, { major: 3, minor: 9 }), source);
  });

  it('writes X | None and A | B for 3.10, nested ones too, and drops the typing names nothing uses any more', async () => {
    const rewritten = await forPythonTarget(source, { major: 3, minor: 10 });
    assert.equal(
      rewritten,
      [
        'from __future__ import annotations',
        '',
        'from typing import Any',
        '',
        'Text = int | str | None',
        'Pair = tuple[int | None, Any]',
        '',
        '',
        'def f(value: int | None = None) -> int | str:',
        '    return value or ""',
        '',
      ].join('\n'),
    );
  });

  it('keeps a typing name still used elsewhere, and removes the import line when nothing is left', async () => {
    const kept = await forPythonTarget('from typing import Optional\n\nX = Optional[int]\nY = Optional\n', { major: 3, minor: 12 });
    assert.equal(kept, 'from typing import Optional\n\nX = int | None\nY = Optional\n');
    assert.equal(await forPythonTarget('from typing import Union\n\nX = Union[int, str]\n', { major: 3, minor: 12 }), '\nX = int | str\n');
  });
});
