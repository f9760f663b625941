/**
 * The shell's shared pieces that need no VS Code: the Disposable base every long-lived object extends, and the
 * settings table every feature reads through (src/features/shared).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Disposable, disposeAll } from '../../src/features/shared/dispose';
import { readSettings, SETTING_KEYS } from '../../src/core/settings';

class Owner extends Disposable {
  own<T extends { dispose(): void }>(d: T): T {
    return this._register(d);
  }
}

describe('Disposable', () => {
  it('disposes what it owns once, last registered first, even when disposed twice', () => {
    const order: string[] = [];
    const owner = new Owner();
    owner.own({ dispose: () => order.push('a') });
    owner.own({ dispose: () => order.push('b') });
    owner.dispose();
    owner.dispose();
    assert.deepEqual(order, ['b', 'a']);
    assert.equal(owner.isDisposed, true);
  });

  it('disposes at once what is registered after it was disposed', () => {
    const owner = new Owner();
    owner.dispose();
    let disposed = 0;
    owner.own({ dispose: () => disposed++ });
    assert.equal(disposed, 1);
  });

  it('disposeAll disposes every item when one throws, then rethrows the first error', () => {
    const done: string[] = [];
    const items = [
      { dispose: () => done.push('first') },
      {
        dispose: () => {
          throw new Error('boom');
        },
      },
      { dispose: () => done.push('last') },
    ];
    assert.throws(() => disposeAll(items), /boom/);
    assert.deepEqual(done, ['last', 'first']);
    assert.equal(items.length, 0, 'the list is emptied');
  });
});

describe('settings', () => {
  const from = (values: Record<string, unknown>) => readSettings((key) => values[key]);

  it('gives the package.json defaults when nothing is set', () => {
    assert.deepEqual(from({}), {
      moduleLocation: undefined,
      defaultRoute: '/stream',
      defaultMethod: 'GET',
      defaultProtocol: 'sse',
      maxAnswerDuration: 300,
      diagnosticSeverity: 'Information',
      fixStyle: 'rewrite',
      pythonPath: undefined,
      previewSendOnOpen: true,
    });
  });

  it('reads valid values, trimmed, and falls back on anything else', () => {
    const set = from({
      [SETTING_KEYS.moduleLocation]: ' app/streaming.py ',
      [SETTING_KEYS.defaultRoute]: '/chat',
      [SETTING_KEYS.defaultMethod]: 'POST',
      [SETTING_KEYS.defaultProtocol]: 'ai-sdk',
      [SETTING_KEYS.maxAnswerDuration]: 600,
      [SETTING_KEYS.diagnosticSeverity]: 'Off',
      [SETTING_KEYS.fixStyle]: 'sibling',
      [SETTING_KEYS.pythonPath]: '/usr/bin/python3',
      [SETTING_KEYS.previewSendOnOpen]: false,
    });
    assert.deepEqual(set, {
      moduleLocation: 'app/streaming.py',
      defaultRoute: '/chat',
      defaultMethod: 'POST',
      defaultProtocol: 'ai-sdk',
      maxAnswerDuration: 600,
      diagnosticSeverity: 'Off',
      fixStyle: 'sibling',
      pythonPath: '/usr/bin/python3',
      previewSendOnOpen: false,
    });
    const invalid = from({
      [SETTING_KEYS.moduleLocation]: '   ',
      [SETTING_KEYS.defaultRoute]: 42,
      [SETTING_KEYS.defaultMethod]: 'PUT',
      [SETTING_KEYS.defaultProtocol]: 'vercel',
      [SETTING_KEYS.maxAnswerDuration]: 0,
      [SETTING_KEYS.diagnosticSeverity]: 'error',
      [SETTING_KEYS.fixStyle]: null,
    });
    assert.deepEqual(
      [
        invalid.moduleLocation,
        invalid.defaultRoute,
        invalid.defaultMethod,
        invalid.defaultProtocol,
        invalid.maxAnswerDuration,
        invalid.diagnosticSeverity,
        invalid.fixStyle,
      ],
      [undefined, '/stream', 'GET', 'sse', 300, 'Information', 'rewrite'],
    );
  });

  it('names every setting package.json declares, and nothing else', () => {
    const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, unknown> } };
    };
    assert.deepEqual(Object.values(SETTING_KEYS).sort(), Object.keys(manifest.contributes.configuration.properties).sort());
  });
});
