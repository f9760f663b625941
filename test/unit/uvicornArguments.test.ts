import assert from 'node:assert/strict';
import { uvicornArguments } from '../../src/core/plan/modulePaths';

describe('uvicornArguments (the one uvicorn command-line builder)', () => {
  it('points uvicorn at the target, then adds where it serves', () => {
    assert.deepEqual(uvicornArguments({ app: 'main:app', appDir: '', factory: false }), ['main:app']);
    assert.deepEqual(
      uvicornArguments({ app: 'shop.app:create_app', appDir: 'src', factory: true }, { host: '127.0.0.1', port: 8001, reload: true, logLevel: 'warning' }),
      ['--app-dir', 'src', 'shop.app:create_app', '--factory', '--host', '127.0.0.1', '--port', '8001', '--reload', '--log-level', 'warning'],
    );
  });
});
