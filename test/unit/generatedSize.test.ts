/** The generated code's size budget (issue #22), on what the planner really writes for each route kind. */
import assert from 'node:assert/strict';
import { GENERATED_LINES_BUDGET, measureRouteKind, ROUTE_KINDS } from '../../src/core/plan/generatedSize';

describe('generated code size', () => {
  it(`plain sse with the demo source writes at most ${GENERATED_LINES_BUDGET.total} lines, package and route together`, async () => {
    const size = await measureRouteKind({});
    assert.ok(
      size.files.some((file) => file.path === 'tokens.py'),
      'the package is measured',
    );
    assert.ok(size.routeLines > 10, 'the route is measured');
    assert.ok(size.total <= GENERATED_LINES_BUDGET.total, `${size.total} lines: ${JSON.stringify(size)}`);
  });

  it(`no generated file of any route kind is over ${GENERATED_LINES_BUDGET.perFile} lines`, async () => {
    for (const kind of ROUTE_KINDS) {
      for (const file of (await measureRouteKind(kind.request)).files) {
        assert.ok(file.lines <= GENERATED_LINES_BUDGET.perFile, `${kind.name}: ${file.path} has ${file.lines} lines`);
      }
    }
  });
});
