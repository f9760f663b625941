/**
 * The generated Python module `streaming.py`: SSE formatting, an unbuffered event-stream response, token
 * streaming and concurrent partial results for FastAPI.
 *
 * Pure and deterministic: the same options give the same bytes. The Python is kept readable here, one
 * template literal per section of the file (String.raw, so Python escapes such as \\n stay as written).
 * The first lines are a header that names the generator version and carries a checksum of the rest, so
 * later runs can tell an untouched generated module (safe to update) from one its owner edited (never touched).
 */
import { CATALYST_VERSION } from '../../../version';
import { withGeneratedHeader } from '../generatedHeader';
import { PROVIDER_ADAPTER_EXPORTS, providerAdapters } from './providers.py';

export interface StreamingModuleOptions {
  /** Default seconds of silence before a `: ping` keep-alive comment (Python's DEFAULT_PING_INTERVAL). */
  readonly pingInterval?: number;
}

interface ResolvedOptions {
  readonly pingInterval: number;
}

export const DEFAULT_STREAMING_MODULE_OPTIONS: ResolvedOptions = { pingInterval: 15 };

/** Public names of the generated module, for code that imports from it. */
export const STREAMING_MODULE_EXPORTS = [
  'DEFAULT_PING_INTERVAL',
  'EventStreamResponse',
  'format_sse',
  'stream_partial_results',
  'stream_tokens',
  'streaming_response',
  ...PROVIDER_ADAPTER_EXPORTS,
] as const;

/** Returns the text of `streaming.py` (LF line endings; the planner converts to the target file's style). */
export function renderStreamingModule(options: StreamingModuleOptions = {}): string {
  const resolved: ResolvedOptions = { ...DEFAULT_STREAMING_MODULE_OPTIONS, ...options };
  if (!Number.isFinite(resolved.pingInterval) || resolved.pingInterval <= 0) {
    throw new RangeError(`pingInterval must be a positive number of seconds, got ${resolved.pingInterval}`);
  }
  // One blank line after the docstring and the imports, two between top-level definitions (PEP 8).
  const preamble = [moduleDocstring, imports, constants(resolved)].join('\n');
  const body = [preamble, json, formatSse, streamTokens, partialResults, response, providerAdapters].join('\n\n');
  return withGeneratedHeader(body, { generator: 'Catalyst Streaming', version: CATALYST_VERSION });
}

/** A Python float literal: 15 -> "15.0", 2.5 -> "2.5". */
function pythonFloat(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

const moduleDocstring = String.raw`"""Server-Sent Events (SSE) streaming for FastAPI.

Everything here streams: each event is written to the client the moment it is
produced, nothing is buffered, memory stays constant, and a client that goes
away stops the work upstream (the token generator is closed, pending
operations are cancelled), so an LLM request is not left running and billing.

Example::

    from collections.abc import AsyncIterator

    from fastapi import FastAPI
    from starlette.responses import StreamingResponse

    from .streaming import stream_tokens, streaming_response

    app = FastAPI()

    async def tokens() -> AsyncIterator[str]:
        for word in ("Hello", ", ", "world"):
            yield word

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        return streaming_response(stream_tokens(tokens()))

The events on the wire::

    event: token
    data: {"text":"Hello"}

    ...

    event: done
    data: {"text":"Hello, world","token_count":3}
"""
`;

const imports = String.raw`from __future__ import annotations

import asyncio
import importlib
import json
import logging
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, Union, runtime_checkable

from anyio import CancelScope
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

__all__ = [
    "DEFAULT_PING_INTERVAL",
    "EventStreamResponse",
    "anthropic_text_stream",
    "format_sse",
    "openai_responses_text_stream",
    "openai_text_stream",
    "stream_partial_results",
    "stream_tokens",
    "streaming_response",
]
`;

const constants = (options: ResolvedOptions): string => String.raw`T = TypeVar("T")

DEFAULT_PING_INTERVAL = ${pythonFloat(options.pingInterval)}
"""Seconds of silence after which a ': ping' comment is sent.

Proxies and load balancers commonly drop connections that stay idle for
30-60 seconds; a comment line keeps them open and every SSE client ignores it.
"""

# A stream whose generator never awaits (tokens already in memory, CPU-bound
# work) would otherwise hold the event loop until it ends: no other request is
# served and a client disconnect goes unnoticed. Handing control back once
# every so many events, or every few milliseconds, keeps the server fair at a
# cost too small to measure, unlike a sleep(0) after every event.
_YIELD_EVERY_EVENTS = 64
_YIELD_EVERY_SECONDS = 0.01
# The clock is read only every so many events: cheap, and still prompt when events are slow to make.
_CLOCK_CHECK_EVERY_EVENTS = 16

_PING = b": ping\n\n"
_EVENT_END = b"\n\n"
# A token event is written around the JSON string of the token: serialising a bare string is ~8x faster
# than serialising {"text": token}, and gives the same bytes.
_TOKEN_EVENT_START = b'event: token\ndata: {"text":'
_TOKEN_EVENT_END = b"}\n\n"

_logger = logging.getLogger(__name__)
`;

const json = String.raw`def _load_orjson_dumps() -> Callable[[Any], bytes] | None:
    """Return 'orjson.dumps' when orjson is installed, else None.

    Imported by name so that type checkers accept this module whether or not
    orjson is installed.
    """
    try:
        orjson = importlib.import_module("orjson")
    except ImportError:
        return None
    dumps: Callable[[Any], bytes] = orjson.dumps
    return dumps


_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _stdlib_json_dumps(data: Any) -> bytes:
    """Compact UTF-8 JSON, byte for byte what 'orjson.dumps' produces for JSON-native data."""
    return _JSON_ENCODER.encode(data).encode("utf-8")


_json_dumps: Callable[[Any], bytes] = _load_orjson_dumps() or _stdlib_json_dumps
`;

const formatSse = String.raw`def _check_field(name: str, value: str) -> bytes:
    """Encode an 'event' or 'id' field value, refusing characters that would corrupt the stream."""
    if "\n" in value or "\r" in value or "\0" in value:
        raise ValueError(f"SSE {name} must not contain CR, LF or NUL: {value!r}")
    return value.encode("utf-8")


def format_sse(event: str, data: Any, *, id: str | None = None) -> bytes:
    """Encode one SSE event: 'event: {event}\\nid: {id}\\ndata: {json}\\n\\n'.

    'data' is serialised as compact JSON on a single line (newlines inside
    strings are escaped), with orjson when it is installed and the standard
    library otherwise; both give the same bytes for JSON-native data. The
    'id' line is written only when 'id' is given.

    Raises:
        ValueError: if 'event' or 'id' contains CR, LF or NUL.
    """
    head = b"event: " + _check_field("event", event)
    if id is not None:
        head += b"\nid: " + _check_field("id", id)
    return head + b"\ndata: " + _json_dumps(data) + _EVENT_END


def _error_event(exc: Exception) -> bytes:
    """The 'error' event for an exception: its class name and message, never its traceback."""
    return format_sse("error", {"type": type(exc).__name__, "message": str(exc)})
`;

const streamTokens = String.raw`@runtime_checkable
class _SupportsAclose(Protocol):
    def aclose(self) -> Awaitable[object]: ...


async def _aclose(iterable: object) -> None:
    """Close an async generator now instead of whenever the garbage collector gets to it."""
    if isinstance(iterable, _SupportsAclose):
        await iterable.aclose()


async def stream_tokens(
    token_generator: AsyncIterable[str],
    include_done: bool = True,
) -> AsyncIterator[bytes]:
    """Stream text tokens as SSE 'token' events, each the moment it arrives.

    Events:
        'token' '{"text": token}' for every token;
        'done' '{"text": full_text, "token_count": n}' at the end, when
        'include_done' is true (the text is then kept in memory; without it
        nothing is accumulated and memory stays constant however long the
        stream);
        'error' '{"type": ExceptionClassName, "message": str(exc)}' if the
        generator raises, after which the stream ends cleanly.

    The token generator is closed ('aclose()') when the stream ends for any
    reason, including the client going away, so the upstream request stops.
    """
    parts: list[str] = []
    try:
        async for token in token_generator:
            if include_done:
                parts.append(token)
            yield _TOKEN_EVENT_START + _json_dumps(token) + _TOKEN_EVENT_END
    except Exception as exc:
        _logger.exception("Token stream failed; sending an error event")
        yield _error_event(exc)
        return
    finally:
        await _aclose(token_generator)
    if include_done:
        yield format_sse("done", {"text": "".join(parts), "token_count": len(parts)})
`;

const partialResults = String.raw`@dataclass(frozen=True)
class _Result(Generic[T]):
    index: int
    value: T


@dataclass(frozen=True)
class _Failure:
    index: int
    error: Exception


@dataclass(frozen=True)
class _Finished:
    index: int


_Outcome = Union[_Result[T], _Failure, _Finished]


async def _run_operation(
    index: int,
    operation: Awaitable[T] | AsyncIterable[T],
    outcomes: asyncio.Queue[_Outcome[T]],
) -> None:
    """Run one operation, reporting each result, a failure, and the end on the queue."""
    try:
        if isinstance(operation, AsyncIterable):
            try:
                async for item in operation:
                    await outcomes.put(_Result(index, item))
            finally:
                await _aclose(operation)
        else:
            await outcomes.put(_Result(index, await operation))
    except Exception as exc:
        _logger.exception("Operation %d failed; sending an error event", index)
        await outcomes.put(_Failure(index, exc))
    await outcomes.put(_Finished(index))


async def stream_partial_results(
    operations: Sequence[Awaitable[T] | AsyncIterable[T]],
    merge_results: Callable[[list[T]], Any] | None = None,
) -> AsyncIterator[bytes]:
    """Run operations concurrently and stream each result as it completes.

    'operations' are awaitables (one result each) or async iterables (a
    result per item, e.g. an LLM's partial outputs). They all start at once;
    results are streamed in completion order, so a fast operation is not held
    back by a slow one listed before it.

    Events:
        'partial' '{"index": i, "result": r}' per result, 'i' being the
        operation's position in 'operations';
        'error' '{"index": i, "type": ..., "message": ...}' for an
        operation that raises; the others go on;
        'done' '{"result": merge_results(results)}' at the end when
        'merge_results' is given; it receives the successful results in the
        order of 'operations' (an iterable's items in the order it yielded
        them).

    Pending operations are cancelled, and iterables closed, when the client
    goes away.

    Results are collected through a queue rather than 'asyncio.as_completed'
    because an async iterable produces many results, interleaved with the
    other operations' as they arrive.
    """
    # A bounded queue makes a fast iterable wait for the client instead of piling results up in memory.
    outcomes: asyncio.Queue[_Outcome[T]] = asyncio.Queue(maxsize=max(1, len(operations)))
    tasks = [asyncio.ensure_future(_run_operation(i, op, outcomes)) for i, op in enumerate(operations)]
    collected: list[list[T]] = [[] for _ in operations]
    running = len(tasks)
    try:
        while running:
            outcome = await outcomes.get()
            if isinstance(outcome, _Finished):
                running -= 1
            elif isinstance(outcome, _Failure):
                failure = {"index": outcome.index, "type": type(outcome.error).__name__, "message": str(outcome.error)}
                yield format_sse("error", failure)
            else:
                if merge_results is not None:
                    collected[outcome.index].append(outcome.value)
                yield format_sse("partial", {"index": outcome.index, "result": outcome.value})
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if merge_results is not None:
        merged = merge_results([value for results in collected for value in results])
        yield format_sse("done", {"result": merged})
`;

const response = String.raw`_SSE_HEADERS: Mapping[str, str] = {
    # Intermediaries must not cache or transform the stream.
    "Cache-Control": "no-cache",
    # nginx buffers proxied responses by default; this turns it off for this response only.
    "X-Accel-Buffering": "no",
}


class EventStreamResponse(StreamingResponse):
    """A 'StreamingResponse' made for Server-Sent Events.

    Beyond Starlette's streaming response it:

    - sends anti-buffering headers ('Cache-Control: no-cache',
      'X-Accel-Buffering: no', and 'Connection: keep-alive' over HTTP/1.x
      only, since HTTP/2 and HTTP/3 forbid connection-specific headers);
    - sends a ': ping' comment after 'ping_interval' seconds of silence;
    - hands control back to the event loop regularly, so a generator that
      never awaits cannot starve other requests or hide a disconnect;
    - closes the event generator as soon as the stream ends or the client
      goes away, so the work upstream stops at once.
    """

    def __init__(
        self,
        content: AsyncIterable[bytes],
        *,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str = "text/event-stream",
        ping_interval: float | None = DEFAULT_PING_INTERVAL,
    ) -> None:
        super().__init__(content, status_code=status_code, headers={**_SSE_HEADERS, **(headers or {})}, media_type=media_type)
        self._events = content
        self._ping_interval = ping_interval
        # The keep-alive task and the event loop never write at the same time: the task pings only when
        # no event is being written, and holds this lock while its ping is, which the loop then waits for.
        # The loop itself only counts its writes; checking a lock or the clock for every event would cost
        # a measurable share of throughput.
        self._send_lock = asyncio.Lock()
        self._pinging = False
        self._writing = False
        self._writes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("http_version", "1.1") in ("1.0", "1.1"):
            self.raw_headers.append((b"connection", b"keep-alive"))
        await super().__call__(scope, receive, send)

    async def stream_response(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        pinger = None if self._ping_interval is None else asyncio.ensure_future(self._keep_alive(send, self._ping_interval))
        try:
            last_yield = time.monotonic()
            since_yield = 0
            async for chunk in self.body_iterator:
                body = chunk.encode(self.charset) if isinstance(chunk, str) else chunk
                if self._pinging:
                    # A keep-alive ping is being written; let it finish so the two messages do not interleave.
                    async with self._send_lock:
                        pass
                self._writing = True
                await send({"type": "http.response.body", "body": body, "more_body": True})
                self._writing = False
                self._writes += 1
                since_yield += 1
                if since_yield % _CLOCK_CHECK_EVERY_EVENTS == 0 and (
                    since_yield >= _YIELD_EVERY_EVENTS or time.monotonic() - last_yield >= _YIELD_EVERY_SECONDS
                ):
                    await asyncio.sleep(0)
                    since_yield = 0
                    last_yield = time.monotonic()
        finally:
            if pinger is not None:
                pinger.cancel()
            # Runs even while this task is being cancelled (client gone): close the upstream now, not at GC time.
            with CancelScope(shield=True):
                await _aclose(self._events)
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _keep_alive(self, send: Send, interval: float) -> None:
        """Send a comment once nothing was written for 'interval' seconds (checked four times an interval).

        The silence is measured here, from the event loop's write count, so that the loop does not read
        the clock for every event. A write held up by a slow client counts as activity: no ping is
        squeezed in, and this task does not spin waiting for it.
        """
        step = interval / 4
        seen = self._writes
        quiet_since = time.monotonic()
        while True:
            await asyncio.sleep(step)
            now = time.monotonic()
            if self._writing or self._writes != seen:
                seen = self._writes
                quiet_since = now
            elif now - quiet_since >= interval:
                self._pinging = True
                try:
                    async with self._send_lock:
                        await send({"type": "http.response.body", "body": _PING, "more_body": True})
                finally:
                    self._pinging = False
                quiet_since = time.monotonic()


def streaming_response(
    generator: AsyncIterable[bytes],
    media_type: str = "text/event-stream",
    headers: Mapping[str, str] | None = None,
    *,
    ping_interval: float | None = DEFAULT_PING_INTERVAL,
) -> EventStreamResponse:
    """Wrap SSE-encoded events (e.g. from 'stream_tokens') in a response that streams them unbuffered.

    'headers' are added to, and may override, the anti-buffering defaults.
    'ping_interval' is the idle time in seconds before a keep-alive comment
    is sent; None turns keep-alive comments off.
    """
    return EventStreamResponse(generator, headers=headers, media_type=media_type, ping_interval=ping_interval)
`;
