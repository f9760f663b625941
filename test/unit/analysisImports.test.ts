import assert from 'node:assert/strict';
import { analyzePythonModule } from '../../src/core/python/analysis';
import { planImports, type ImportPlanOptions, type ImportRequest } from '../../src/core/python/importEdit';
import { applyTextEdits } from '../../src/core/workspace/textEdit';

const STREAMING: ImportRequest = { module: '.streaming', names: ['streaming_response', 'stream_tokens', 'EventStreamResponse'] };

async function addImports(source: string, requests: readonly ImportRequest[], options?: ImportPlanOptions) {
  const analysis = await analyzePythonModule(source);
  try {
    const plan = planImports(analysis, requests, options);
    return { text: applyTextEdits(source, plan.edits), conflicts: plan.conflicts, edits: plan.edits };
  } finally {
    analysis.dispose();
  }
}

function lines(...all: string[]): string {
  return all.map((l) => `${l}\n`).join('');
}

describe('planImports', () => {
  it('adds a new local section after the third-party imports', async () => {
    const { text } = await addImports(lines('from fastapi import FastAPI', '', 'app = FastAPI()'), [STREAMING]);
    assert.equal(
      text,
      lines('from fastapi import FastAPI', '', 'from .streaming import EventStreamResponse, stream_tokens, streaming_response', '', 'app = FastAPI()'),
    );
  });

  it('puts each new statement in its isort section, sorted among sorted neighbours', async () => {
    const source = lines(
      '"""App."""',
      'from __future__ import annotations',
      '',
      'import os',
      'import sys',
      '',
      'from fastapi import FastAPI',
      'from starlette.requests import Request',
      '',
      'app = FastAPI()',
    );
    const { text } = await addImports(source, [
      { module: 'asyncio' },
      { module: 'collections.abc', names: ['AsyncIterator'] },
      { module: 'pydantic', names: ['BaseModel'] },
      STREAMING,
    ]);
    assert.equal(
      text,
      lines(
        '"""App."""',
        'from __future__ import annotations',
        '',
        'import asyncio',
        'import os',
        'import sys',
        'from collections.abc import AsyncIterator',
        '',
        'from fastapi import FastAPI',
        'from pydantic import BaseModel',
        'from starlette.requests import Request',
        '',
        'from .streaming import EventStreamResponse, stream_tokens, streaming_response',
        '',
        'app = FastAPI()',
      ),
    );
  });

  it('merges into an existing single-line import, keeping sorted names sorted', async () => {
    const { text } = await addImports(lines('from fastapi import FastAPI', 'from .streaming import stream_tokens', 'app = FastAPI()'), [STREAMING]);
    assert.equal(
      text,
      lines('from fastapi import FastAPI', 'from .streaming import EventStreamResponse, stream_tokens, streaming_response', 'app = FastAPI()'),
    );
  });

  it('appends to an unsorted list and keeps aliases', async () => {
    const { text } = await addImports(lines('from fastapi import FastAPI as F, Depends', 'app = F()'), [{ module: 'fastapi', names: ['APIRouter'] }]);
    assert.equal(text, lines('from fastapi import FastAPI as F, Depends, APIRouter', 'app = F()'));
  });

  it('wraps a merged line that grows past the line length into one name per line', async () => {
    const source = lines('from fastapi import Body, Depends, FastAPI, HTTPException, Query, Request, Response, status', 'app = FastAPI()');
    const { text } = await addImports(source, [{ module: 'fastapi', names: ['BackgroundTasks', 'APIRouter'] }]);
    assert.equal(
      text,
      lines(
        'from fastapi import (',
        ...['APIRouter', 'BackgroundTasks', 'Body', 'Depends', 'FastAPI', 'HTTPException', 'Query', 'Request', 'Response', 'status'].map((n) => `    ${n},`),
        ')',
        'app = FastAPI()',
      ),
    );
  });

  it('adds lines to a parenthesised one-per-line import, keeping its comments and trailing comma', async () => {
    const source = lines('from fastapi import (', '    Depends,  # auth', '    FastAPI,', ')', 'app = FastAPI()');
    const { text } = await addImports(source, [{ module: 'fastapi', names: ['APIRouter', 'Query'] }]);
    assert.equal(text, lines('from fastapi import (', '    APIRouter,', '    Depends,  # auth', '    FastAPI,', '    Query,', ')', 'app = FastAPI()'));
  });

  it('adds to a parenthesised import without a trailing comma', async () => {
    const source = lines('from fastapi import (', '\tDepends,', '\tFastAPI', ')');
    const { text } = await addImports(source, [{ module: 'fastapi', names: ['Query'] }]);
    assert.equal(text, lines('from fastapi import (', '\tDepends,', '\tFastAPI,', '\tQuery', ')'));
  });

  it('keeps CRLF line endings and tab indentation in new wrapped statements', async () => {
    const source = 'from fastapi import FastAPI\r\n\r\napp = FastAPI()\r\n\r\nif True:\r\n\tpass\r\n';
    const { text } = await addImports(source, [
      { module: '.streaming', names: ['EventStreamResponse', 'stream_partial_results', 'stream_tokens', 'streaming_response'] },
    ]);
    assert.equal(
      text,
      'from fastapi import FastAPI\r\n\r\nfrom .streaming import (\r\n\tEventStreamResponse,\r\n\tstream_partial_results,\r\n\tstream_tokens,\r\n\tstreaming_response,\r\n)\r\n\r\napp = FastAPI()\r\n\r\nif True:\r\n\tpass\r\n',
    );
  });

  it('treats project modules as first party for a top-level script', async () => {
    const source = lines('import uvicorn', 'from fastapi import FastAPI', '', 'import settings');
    const { text } = await addImports(source, [{ module: 'streaming', names: ['stream_tokens'] }], { firstPartyModules: new Set(['settings', 'streaming']) });
    assert.equal(text, lines('import uvicorn', 'from fastapi import FastAPI', '', 'import settings', 'from streaming import stream_tokens'));
  });

  it('does nothing when everything is imported already, and is idempotent', async () => {
    const first = await addImports(lines('from fastapi import FastAPI'), [STREAMING, { module: 'asyncio' }]);
    const second = await addImports(first.text, [STREAMING, { module: 'asyncio' }]);
    assert.deepEqual(second.edits, []);
    assert.equal(second.text, first.text);
  });

  it('reports names bound to something else instead of shadowing them', async () => {
    const { text, conflicts } = await addImports(lines('from mylib import stream_tokens', 'def streaming_response(): ...', 'asyncio = None'), [
      STREAMING,
      { module: 'asyncio' },
    ]);
    assert.deepEqual(conflicts, [
      { name: 'streaming_response', boundTo: 'a local definition' },
      { name: 'stream_tokens', boundTo: 'mylib.stream_tokens' },
      { name: 'asyncio', boundTo: 'a local definition' },
    ]);
    assert.equal(
      text,
      lines('from mylib import stream_tokens', '', 'from .streaming import EventStreamResponse', 'def streaming_response(): ...', 'asyncio = None'),
    );
  });

  it('writes the first import of a module after its docstring and comments', async () => {
    const { text } = await addImports('#!/usr/bin/env python\n"""Doc."""\nx = 1\n', [{ module: 'asyncio' }]);
    assert.equal(text, '#!/usr/bin/env python\n"""Doc."""\nimport asyncio\n\nx = 1\n');
  });

  it('keeps a block that runs its sections together in one piece, and an unsorted block in its order', async () => {
    const compact = lines('import os', 'from fastapi import FastAPI', 'from .db import get_db', 'from .models import Note', '', 'app = FastAPI()');
    const { text } = await addImports(compact, [{ module: 'app.streaming', names: ['stream_tokens'] }, { module: 'asyncio' }], {
      firstPartyModules: new Set(['app']),
    });
    assert.equal(
      text,
      lines(
        'import asyncio',
        'import os',
        'from fastapi import FastAPI',
        'from app.streaming import stream_tokens',
        'from .db import get_db',
        'from .models import Note',
        '',
        'app = FastAPI()',
      ),
    );
    const unsorted = lines('from fastapi import FastAPI, Depends', 'from .db import get_db', 'import logging', 'import json', '', 'app = FastAPI()');
    const added = await addImports(unsorted, [{ module: 'collections.abc', names: ['AsyncIterator'] }, STREAMING]);
    assert.equal(
      added.text,
      lines(
        'from fastapi import FastAPI, Depends',
        'from .db import get_db',
        'from .streaming import EventStreamResponse, stream_tokens, streaming_response',
        'import logging',
        'import json',
        'from collections.abc import AsyncIterator',
        '',
        'app = FastAPI()',
      ),
    );
  });
});
