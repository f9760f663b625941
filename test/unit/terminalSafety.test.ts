/** What preview prints and keeps is safe and bounded: control characters escaped, per-type counts and text capped. */
import assert from 'node:assert/strict';
import { escapeControls } from '../../src/cli/terminalText';
import { SHOWN_TYPES, StatsTracker, TRACKED_TYPES } from '../../src/core/sse/stats';
import { MAX_ASSEMBLED_CHARS, TextAssembler } from '../../src/core/sse/text';

describe('escapeControls', () => {
  it('shows C0 (but tab and newline), DEL and C1 as visible escapes, so no sequence reaches the terminal', () => {
    assert.equal(escapeControls('a\tb\nc'), 'a\tb\nc');
    assert.equal(escapeControls('\x1b[2J\x1b]0;title\x07\x1b]52;c;ZXZpbA==\x07'), '\\x1b[2J\\x1b]0;title\\x07\\x1b]52;c;ZXZpbA==\\x07');
    assert.equal(escapeControls('\u009b31m \x7f \r fake \x00'), '\\x9b31m \\x7f \\r fake \\x00');
    assert.equal(escapeControls('café ✓ 日本'), 'café ✓ 日本');
    for (let code = 0; code < 0xa0; code++) {
      const shown = escapeControls(String.fromCharCode(code));
      const allowed = code === 0x09 || code === 0x0a || (code >= 0x20 && code < 0x7f);
      assert.equal(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(shown), false, `U+${code.toString(16)} escaped`);
      assert.equal(shown.length === 1, allowed, `U+${code.toString(16)}`);
    }
  });
});

describe('bounded preview state', () => {
  it('200,000 distinct event types: the most frequent listed, the rest counted as others, memory capped', () => {
    const stats = new StatsTracker();
    for (let i = 0; i < 200_000; i++) {
      stats.event(`type-${i}`, i, false);
    }
    for (let i = 0; i < 30; i++) {
      stats.event('common', 200_000 + i, false);
    }
    const snapshot = stats.snapshot();
    assert.ok(Object.keys(snapshot.countsByType).length <= SHOWN_TYPES);
    assert.equal(Object.keys(snapshot.countsByType)[0], 'common', 'the most frequent first');
    assert.equal(snapshot.countsByType.common, 30);
    assert.equal(snapshot.otherEvents, 200_030 - Object.values(snapshot.countsByType).reduce((a, b) => a + b, 0));
    assert.equal(snapshot.events, 200_030);
    assert.ok(JSON.stringify(snapshot).length < 4_000, `${JSON.stringify(snapshot).length} characters`);
    assert.ok(stats.trackedTypes <= TRACKED_TYPES, `${stats.trackedTypes} types held`);
  });

  it('a few types: all listed, no "others"', () => {
    const stats = new StatsTracker();
    stats.event('token', 1, true);
    stats.event('done', 2, false);
    assert.deepEqual(stats.snapshot().countsByType, { token: 1, done: 1 });
    assert.equal(stats.snapshot().otherEvents, undefined);
  });

  it('the assembled text keeps its end, counts what it dropped, and still recognises the server\u2019s final text', () => {
    const text = new TextAssembler();
    const token = 'x'.repeat(999) + '\n';
    const n = Math.ceil((MAX_ASSEMBLED_CHARS * 3) / token.length);
    for (let i = 0; i < n; i++) {
      text.push('token', JSON.stringify({ text: token }));
    }
    assert.ok(text.text.length <= MAX_ASSEMBLED_CHARS * 1.5);
    assert.equal(text.dropped + text.text.length, n * token.length);
    assert.equal(text.push('done', JSON.stringify({ text: token.repeat(n), token_count: n })), undefined, 'the same text: not a replacement');
    assert.deepEqual(text.push('done', JSON.stringify({ text: 'other' })), { delta: 'other', replaced: true });
    assert.equal(text.dropped, 0);
  });
});
