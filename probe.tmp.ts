import path from 'node:path';
import { planAddEndpoint } from './src/core/plan/addEndpoint';
import { readPythonFiles } from './src/core/workspace/readWorkspace';
import { nodeFileSystem } from './src/core/workspace/fileSystem';
(async () => {
  const files = await readPythonFiles(path.resolve('test/fixtures/workspaces/single-file'), nodeFileSystem);
  const plan = await planAddEndpoint(files, JSON.parse(process.argv[2] ?? '{}'));
  if (plan.status !== 'planned') { console.log(plan); return; }
  for (const c of plan.changes) console.log(c.kind, c.path, c.after.split('\n').length);
  console.log(plan.notes);
  console.log(plan.changes.find((c) => c.path === 'main.py')!.after.split('\n').slice(0, 14).join('\n'));
})();
