// @ts-check
// V8 coverage of the extension's own code in the extension host, in a form c8 reports together with the
// unit/integration tests' coverage. code-server's processes inherit NODE_V8_COVERAGE, so the extension host
// writes its coverage when it exits (it exits by itself once the tests report). Two fixes make it usable:
//   - only the extension's bundle is kept (the host also covers VS Code's and the suite's own scripts);
//   - the extension host records source-map `sources` as file:// URLs, which v8-to-istanbul (c8 12) resolves
//     against the bundle's folder and then drops: every uncovered range would silently count as covered.
//     They are rewritten to absolute paths.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Copies the coverage of `bundles` (absolute paths) from the raw V8 coverage files in `rawDir` into `targetDir`
 * (e.g. c8's coverage/tmp). Returns how many coverage files were written.
 */
export async function keepBundleCoverage(rawDir, targetDir, bundles) {
  const wanted = new Set(bundles.map((bundle) => pathToFileURL(bundle).href));
  await mkdir(targetDir, { recursive: true });
  let written = 0;
  for (const name of await readdir(rawDir).catch(() => [])) {
    if (!name.endsWith('.json')) continue;
    const raw = JSON.parse(await readFile(path.join(rawDir, name), 'utf8'));
    const result = (raw.result ?? []).filter((script) => wanted.has(script.url));
    if (result.length === 0) continue;
    const sourceMaps = {};
    for (const url of result.map((script) => script.url)) {
      const entry = raw['source-map-cache']?.[url];
      if (!entry?.data) continue;
      const sources = entry.data.sources.map((source) => (source.startsWith('file:') ? fileURLToPath(source) : source));
      sourceMaps[url] = { ...entry, data: { ...entry.data, sources } };
    }
    await writeFile(path.join(targetDir, `extension-host-${name}`), JSON.stringify({ result, 'source-map-cache': sourceMaps }));
    written += 1;
  }
  return written;
}
