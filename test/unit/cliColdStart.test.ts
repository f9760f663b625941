/**
 * The CLI's start-up V8 flags (src/cli/coldStart.ts). V8 takes an unknown flag silently, so a misspelt or
 * removed one would only show as a slower start: check every name against the running Node's `--v8-options`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { COLD_START_V8_FLAGS } from '../../src/cli/coldStart';

describe('CLI cold-start V8 flags', () => {
  it('are all flags this Node version knows', () => {
    const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    assert.ok(COLD_START_V8_FLAGS.length > 0);
    for (const flag of COLD_START_V8_FLAGS) {
      const name = flag.replace(/^--/, '').split('=')[0]!;
      assert.ok(options.includes(`--${name} `), `V8 has no flag --${name}`);
    }
  });
});
