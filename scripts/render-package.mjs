// Writes the whole generated package, rendered for one Python target, into a folder: what `npm run lint:python`
// gates per target. Run under tsx with the .py text hook:
//   node --require ./scripts/register-py-text.cjs --import tsx scripts/render-package.mjs OUT_DIR 3.12
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PACKAGE_NAMES, renderPackageFiles } from '../src/core/codegen/python/package/index.ts';
import { moduleFile } from '../src/core/codegen/python/package/packageSources.ts';
import { PACKAGE_EXPORTS } from '../src/core/codegen/python/package/packageExports.ts';

const [outDir, version = '3.9'] = process.argv.slice(2);
const match = /^(\d+)\.(\d+)$/.exec(version);
if (!outDir || !match) {
  process.stderr.write('usage: render-package.mjs OUT_DIR [MAJOR.MINOR]\n');
  process.exit(2);
}
const names = PACKAGE_NAMES.filter((name) => moduleFile(PACKAGE_EXPORTS[name]) !== undefined);
const files = await renderPackageFiles(names, { pythonTarget: { major: Number(match[1]), minor: Number(match[2]) } });
for (const file of files) {
  const target = path.join(outDir, file.path);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, file.text);
}
