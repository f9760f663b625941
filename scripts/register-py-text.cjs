// Lets Node (mocha through tsx, the bench) `import text from './file.py'` the way the esbuild bundle does with
// `loader: { '.py': 'text' }`: the module's default export is the file's text. Registered in .mocharc.json.
const { readFileSync } = require('node:fs');

require.extensions['.py'] = (module, filename) => {
  module.exports = { __esModule: true, default: readFileSync(filename, 'utf8') };
};
