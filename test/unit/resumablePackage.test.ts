/**
 * The generated package's resumable/ subpackage: the files a resumable route brings into a project, and one
 * concurrency style (anyio) in them, asyncio left only where anyio has no equivalent.
 */
import assert from 'node:assert/strict';
import { renderPackageFiles } from '../../src/core/codegen/python/package';
import { parsePython } from '../../src/core/python/parser';

const RESUMABLE_ROUTE = ['ResumableStreamResponse', 'resumable_response', 'stop_response', 'until_stopped', 'stream_tokens'] as const;

/** The modules a file imports (`import a.b` and `from a.b import c`, relative ones with their dots). */
async function importsAndAttributes(text: string): Promise<{ imported: string[]; attributes: string[] }> {
  const tree = await parsePython(text);
  try {
    assert.equal(tree.rootNode.hasError, false);
    const imported = tree.rootNode.namedChildren.flatMap((node) => {
      if (node?.type === 'import_statement') return node.namedChildren.map((name) => name!.text);
      if (node?.type === 'import_from_statement') return [node.childForFieldName('module_name')!.text];
      return [];
    });
    const attributes = tree.rootNode.descendantsOfType('attribute').map((node) => node!.text);
    return { imported, attributes };
  } finally {
    tree.delete();
  }
}

describe('the generated package: resumable/', () => {
  it('a resumable route writes the SSE core and resumable/, and no protocol or provider', async () => {
    const files = await renderPackageFiles(RESUMABLE_ROUTE);
    assert.deepEqual(
      files.map((file) => file.path),
      [
        '__init__.py',
        'events.py',
        'finish.py',
        'parts.py',
        'response.py',
        'tokens.py',
        'resumable/__init__.py',
        'resumable/_errors.py',
        'resumable/_keys.py',
        'resumable/_limits.py',
        'resumable/_local.py',
        'resumable/_producer.py',
        'resumable/_redis_client.py',
        'resumable/_redis_entries.py',
        'resumable/_redis_rounds.py',
        'resumable/_redis_wake.py',
        'resumable/_runner.py',
        'resumable/redis_store.py',
        'resumable/response.py',
        'resumable/stopping.py',
        'resumable/store.py',
      ],
    );
  });

  it('uses anyio for its concurrency; asyncio only to start the one task that hosts the producers', async () => {
    const files = (await renderPackageFiles(RESUMABLE_ROUTE)).filter((file) => file.path.startsWith('resumable/'));
    const asyncioUses = new Map<string, string[]>();
    for (const file of files) {
      const { imported, attributes } = await importsAndAttributes(file.text);
      const uses = [
        ...imported.filter((name) => name === 'asyncio' || name.startsWith('asyncio.')),
        ...attributes.filter((text) => text.startsWith('asyncio.')),
      ];
      if (uses.length > 0) asyncioUses.set(file.path, uses);
      if (['resumable/store.py', 'resumable/_producer.py', 'resumable/_runner.py'].includes(file.path)) {
        assert.ok(imported.includes('anyio'), `${file.path} imports anyio`);
      }
    }
    assert.deepEqual(Object.fromEntries(asyncioUses), {
      'resumable/_runner.py': ['asyncio', 'asyncio.Task', 'asyncio.get_running_loop().create_task', 'asyncio.get_running_loop'],
    });
  });
});
