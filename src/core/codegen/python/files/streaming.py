"""Server-Sent Events (SSE) streaming for FastAPI.

Everything here streams: each event is written to the client the moment it is
produced, nothing is buffered, memory stays constant, and a client that goes
away stops the work upstream (the token generator is closed, pending
operations are cancelled), so an LLM request is not left running and billing.

Example::

    from collections.abc import AsyncIterator

    from fastapi import FastAPI

    from .streaming import EventStreamResponse, stream_tokens, streaming_response

    app = FastAPI()


    async def tokens(prompt: str) -> AsyncIterator[str]:
        for word in ("You", " said", ": ", prompt):
            yield word


    @app.get("/stream")
    async def stream(prompt: str = "Hi") -> EventStreamResponse:
        return streaming_response(stream_tokens(tokens(prompt)))

The events on the wire for ``GET /stream?prompt=Hi``::

    event: token
    data: {"text":"You"}

    ...

    event: done
    data: {"text":"You said: Hi","token_count":4}

When the server shuts down, each open stream ends within about a second with
``retry: 1000`` and a ``reconnect`` event, so that clients reconnect (to
another worker) instead of waiting on a connection that is going away.
"""

from __future__ import annotations

import importlib
import logging
import math
import signal
import time
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Mapping,
    Sequence,
)
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any, Generic, Protocol, TypeVar, Union, cast, runtime_checkable

import anyio
import anyio.lowlevel
from anyio.abc import ObjectSendStream
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from starlette.background import BackgroundTask
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

T = TypeVar("T")

DEFAULT_PING_INTERVAL = 15.0
"""Seconds of silence after which a ``: ping`` comment is sent.

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
# The clock is read only every so many events: cheap, and still prompt when
# events are slow to make.
_CLOCK_CHECK_EVERY_EVENTS = 16

# How often each open stream checks whether the server is shutting down.
_SHUTDOWN_POLL_SECONDS = 0.5
# The last event of a stream cut short by a server shutdown: a browser's
# EventSource reconnects after "retry" milliseconds, other clients see the
# "reconnect" event.
_RECONNECT_EVENT = (
    b'retry: 1000\nevent: reconnect\ndata: {"reason":"server shutting down"}\n\n'
)

_PING = b": ping\n\n"
_EVENT_END = b"\n\n"
# A token event is written around the JSON string of the token: serialising a
# bare string is much faster than serialising {"text": token}, and gives the
# same bytes.
_TOKEN_EVENT_START = b'event: token\ndata: {"text":'
_TOKEN_EVENT_END = b"}\n\n"

# What an "error" event says unless the stream was made with expose_errors=True:
# exception messages can hold URLs, request ids, keys or internal paths.
_GENERIC_ERROR_MESSAGE = "The stream failed; the server log has the details."

_logger = logging.getLogger(__name__)


# --- JSON ----------------------------------------------------------------------


def _load_orjson_dumps() -> Callable[[Any], bytes] | None:
    """Return ``orjson.dumps`` when orjson is installed, else None.

    Imported by name so that type checkers accept this module whether or not
    orjson is installed.
    """
    try:
        orjson = importlib.import_module("orjson")
    except ImportError:
        return None
    dumps: Callable[[Any], bytes] = orjson.dumps
    return dumps


def _float_json(value: float) -> str:
    """A float as orjson writes it: the shortest digits that read back the same.

    NaN and the infinities have no JSON form and become ``null``. Python's
    ``repr`` has the same digits; only small exponents are written differently
    (``1e-05`` is ``0.00001``, ``1e-07`` is ``1e-7``).
    """
    if not math.isfinite(value):
        return "null"
    text = float.__repr__(value)
    mantissa, _, exponent = text.partition("e")
    if not exponent or exponent.startswith("+"):
        return text
    power = int(exponent)
    if power == -5:
        sign = "-" if mantissa.startswith("-") else ""
        return f"{sign}0.0000{mantissa.lstrip('-').replace('.', '')}"
    return f"{mantissa}e{power}"


def _encode_json(value: object, parts: list[str]) -> None:
    """Append the compact JSON of ``value`` to ``parts``, as orjson writes it."""
    if isinstance(value, str):
        parts.append(encode_basestring(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, float):
        parts.append(_float_json(value))
    elif isinstance(value, (list, tuple)):
        parts.append("[")
        items = cast("Sequence[object]", value)
        for index, item in enumerate(items):
            if index:
                parts.append(",")
            _encode_json(item, parts)
        parts.append("]")
    elif isinstance(value, dict):
        parts.append("{")
        members = cast("dict[object, object]", value)
        for index, (key, item) in enumerate(members.items()):
            if not isinstance(key, str):
                # orjson refuses these too, so the output does not depend on it.
                raise TypeError(f"Dict key must be str, not {type(key).__name__}")
            parts.append("," if index else "")
            parts.append(encode_basestring(key))
            parts.append(":")
            _encode_json(item, parts)
        parts.append("}")
    else:
        raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


def _stdlib_json_dumps(data: Any) -> bytes:
    """Compact UTF-8 JSON, byte for byte what ``orjson.dumps`` writes."""
    if isinstance(data, str):
        return encode_basestring(data).encode("utf-8")
    parts: list[str] = []
    _encode_json(data, parts)
    return "".join(parts).encode("utf-8")


_json_dumps: Callable[[Any], bytes] = _load_orjson_dumps() or _stdlib_json_dumps


# --- Events --------------------------------------------------------------------


def _check_field(name: str, value: str) -> bytes:
    """Encode an ``event`` or ``id`` field, refusing what would corrupt the stream."""
    if "\n" in value or "\r" in value or "\0" in value:
        raise ValueError(f"SSE {name} must not contain CR, LF or NUL: {value!r}")
    return value.encode("utf-8")


def format_sse(event: str, data: Any, *, id: str | None = None) -> bytes:
    """Encode one SSE event: ``event: {event}\\nid: {id}\\ndata: {json}\\n\\n``.

    ``data`` is serialised as compact JSON on a single line (newlines inside
    strings are escaped), with orjson when it is installed and the standard
    library otherwise, with the same bytes either way; NaN and the infinities
    become ``null``. The ``id`` line is written only when ``id`` is given.

    Raises:
        ValueError: if ``event`` or ``id`` contains CR, LF or NUL.
        TypeError: if ``data`` is not JSON (str, int, float, bool, None, and
            lists, tuples and str-keyed dicts of them).
    """
    head = b"event: " + _check_field("event", event)
    if id is not None:
        head += b"\nid: " + _check_field("id", id)
    return head + b"\ndata: " + _json_dumps(data) + _EVENT_END


def _error_fields(exc: Exception, expose: bool) -> dict[str, str]:
    """The ``type`` and ``message`` of an error event: never a traceback."""
    message = str(exc) if expose else _GENERIC_ERROR_MESSAGE
    return {"type": type(exc).__name__, "message": message}


@runtime_checkable
class _SupportsAclose(Protocol):
    def aclose(self) -> Awaitable[object]: ...


async def _aclose(iterable: object) -> None:
    """Close an async generator now, not whenever the garbage collector runs."""
    if isinstance(iterable, _SupportsAclose):
        await iterable.aclose()


async def stream_tokens(
    token_generator: AsyncIterable[str],
    *,
    include_done: bool = True,
    expose_errors: bool = False,
) -> AsyncIterator[bytes]:
    """Stream text tokens as SSE ``token`` events, each the moment it arrives.

    Events:
        ``token`` ``{"text": token}`` for every token;
        ``done`` ``{"text": full_text, "token_count": n}`` at the end, when
        ``include_done`` is true (the text is then kept in memory; without it
        nothing is accumulated and memory stays constant however long the
        stream);
        ``error`` ``{"type": "ExceptionClassName", "message": ...}`` if the
        generator raises, after which the stream ends cleanly. The message is
        a generic one and the exception goes to the server log, unless
        ``expose_errors`` is true: then it is ``str(exc)``, which can hold
        URLs, request ids or keys, so turn it on only for trusted clients.

    The token generator is closed (``aclose()``) when the stream ends for any
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
        yield format_sse("error", _error_fields(exc, expose_errors))
        return
    finally:
        await _aclose(token_generator)
    if include_done:
        text = "".join(parts)
        yield format_sse("done", {"text": text, "token_count": len(parts)})


# --- Partial results -----------------------------------------------------------


@dataclass(frozen=True)
class _Result(Generic[T]):
    index: int
    value: T


@dataclass(frozen=True)
class _Failure:
    index: int
    error: Exception


_Outcome = Union[_Result[T], _Failure]


async def _run_operation(
    index: int,
    operation: Awaitable[T] | AsyncIterable[T],
    outcomes: ObjectSendStream[_Outcome[T]],
) -> None:
    """Run one operation, sending each result or its failure, then close."""
    async with outcomes:
        try:
            if isinstance(operation, AsyncIterable):
                try:
                    async for item in operation:
                        await outcomes.send(_Result(index, item))
                finally:
                    await _aclose(operation)
            else:
                await outcomes.send(_Result(index, await operation))
        except Exception as exc:
            _logger.exception("Operation %d failed; sending an error event", index)
            await outcomes.send(_Failure(index, exc))


async def stream_partial_results(
    operations: Sequence[Awaitable[T] | AsyncIterable[T]],
    merge_results: Callable[[list[T]], Any] | None = None,
    *,
    expose_errors: bool = False,
) -> AsyncIterator[bytes]:
    """Run operations concurrently and stream each result as it completes.

    ``operations`` are awaitables (one result each) or async iterables (a
    result per item, e.g. an LLM's partial outputs). They all start at once,
    in one task group; results are streamed in completion order, so a fast
    operation is not held back by a slow one listed before it.

    Events:
        ``partial`` ``{"index": i, "result": r}`` per result, ``i`` being the
        operation's position in ``operations``;
        ``error`` ``{"index": i, "type": ..., "message": ...}`` for an
        operation that raises (a generic message unless ``expose_errors``,
        as in :func:`stream_tokens`); the others go on;
        ``done`` ``{"result": merge_results(results)}`` at the end when
        ``merge_results`` is given; it receives the successful results in the
        order of ``operations`` (an iterable's items in the order it yielded
        them).

    Pending operations are cancelled, and iterables closed, when the client
    goes away.
    """
    # A bounded stream makes a fast iterable wait for the client instead of
    # piling results up in memory.
    streams: tuple[
        MemoryObjectSendStream[_Outcome[T]], MemoryObjectReceiveStream[_Outcome[T]]
    ] = anyio.create_memory_object_stream(max(1, len(operations)))
    sender, receive = streams
    collected: list[list[T]] = [[] for _ in operations]
    async with receive, anyio.create_task_group() as task_group:
        async with sender:
            for index, operation in enumerate(operations):
                task_group.start_soon(_run_operation, index, operation, sender.clone())
        # Ends when every operation has closed its clone of the send stream.
        async for outcome in receive:
            if isinstance(outcome, _Failure):
                failure = {
                    "index": outcome.index,
                    **_error_fields(outcome.error, expose_errors),
                }
                yield format_sse("error", failure)
            else:
                if merge_results is not None:
                    collected[outcome.index].append(outcome.value)
                result = {"index": outcome.index, "result": outcome.value}
                yield format_sse("partial", result)
    if merge_results is not None:
        merged = merge_results([value for values in collected for value in values])
        yield format_sse("done", {"result": merged})


# --- The response --------------------------------------------------------------

_SSE_HEADERS: Mapping[str, str] = {
    # Intermediaries must not cache or transform the stream.
    "Cache-Control": "no-cache",
    # nginx buffers proxied responses by default; this turns it off for this
    # response only.
    "X-Accel-Buffering": "no",
}


def _server_is_shutting_down() -> bool:
    """Whether the server (uvicorn) was told to shut down.

    uvicorn (0.29 and later) installs its ``Server.handle_exit`` as the
    SIGTERM handler and sets ``should_exit`` when a signal arrives; the server
    is found through that handler. Older versions install it on the event
    loop instead, out of reach, and then this stays False.
    """
    handler = signal.getsignal(signal.SIGTERM)
    server = getattr(handler, "__self__", None)
    return getattr(server, "should_exit", False) is True


class EventStreamResponse(StreamingResponse):
    """A ``StreamingResponse`` made for Server-Sent Events.

    Beyond Starlette's streaming response it:

    - sends anti-buffering headers (``Cache-Control: no-cache``,
      ``X-Accel-Buffering: no``, and ``Connection: keep-alive`` over HTTP/1.x
      only, since HTTP/2 and HTTP/3 forbid connection-specific headers);
    - sends a ``: ping`` comment after ``ping_interval`` seconds of silence;
    - hands control back to the event loop regularly, so a generator that
      never awaits cannot starve other requests or hide a disconnect;
    - closes the event generator as soon as the stream ends or the client
      goes away, so the work upstream stops at once;
    - ends the stream with ``retry: 1000`` and a ``reconnect`` event when the
      server shuts down, so that the server can exit and clients reconnect.

    Where it departs from ``StreamingResponse``, and why: ``content`` must be
    an async iterable of ``bytes`` (already encoded events), not any iterable
    of str or bytes, because a synchronous iterator would run in a thread and
    could not be closed when the client leaves; ``media_type`` defaults to
    ``text/event-stream``; and ``stream_response`` is overridden to interleave
    pings and closing, so a subclass that overrides it takes all of that over.
    """

    def __init__(
        self,
        content: AsyncIterable[bytes],
        *,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str = "text/event-stream",
        background: BackgroundTask | None = None,
        ping_interval: float | None = DEFAULT_PING_INTERVAL,
    ) -> None:
        if ping_interval is not None and not ping_interval > 0:
            raise ValueError(
                f"ping_interval must be a positive number of seconds or None, "
                f"got {ping_interval!r}"
            )
        super().__init__(
            content,
            status_code=status_code,
            headers={**_SSE_HEADERS, **(headers or {})},
            media_type=media_type,
            background=background,
        )
        self._events = content
        self._ping_interval = ping_interval
        # The keep-alive task and the event loop never write at the same time:
        # the task pings only when no event is being written, and holds this
        # lock while its ping is, which the loop then waits for. The loop itself
        # only counts its writes; checking a lock or the clock for every event
        # would cost a measurable share of throughput.
        self._send_lock = anyio.Lock()
        self._pinging = False
        self._writing = False
        self._writes = 0
        self._shutting_down = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("http_version", "1.1") in ("1.0", "1.1"):
            self.raw_headers.append((b"connection", b"keep-alive"))
        await super().__call__(scope, receive, send)

    async def stream_response(self, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": self.status_code,
                "headers": self.raw_headers,
            }
        )
        async with anyio.create_task_group() as task_group:
            if self._ping_interval is not None:
                task_group.start_soon(self._keep_alive, send, self._ping_interval)
            task_group.start_soon(self._watch_for_shutdown, task_group.cancel_scope)
            try:
                await self._write_events(send)
            finally:
                # Runs even while this task is being cancelled (client gone,
                # server shutting down), and before the other tasks are: close
                # the upstream now, not at garbage collection.
                with anyio.CancelScope(shield=True):
                    await _aclose(self._events)
            task_group.cancel_scope.cancel()
        if self._shutting_down:
            await send(self._body(_RECONNECT_EVENT))
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    @staticmethod
    def _body(chunk: bytes) -> dict[str, Any]:
        return {"type": "http.response.body", "body": chunk, "more_body": True}

    async def _write_events(self, send: Send) -> None:
        last_yield = time.monotonic()
        since_yield = 0
        async for chunk in self.body_iterator:
            body = chunk.encode(self.charset) if isinstance(chunk, str) else chunk
            if self._pinging:
                # A ping is being written; let it finish so the two messages
                # do not interleave.
                async with self._send_lock:
                    pass
            self._writing = True
            await send({"type": "http.response.body", "body": body, "more_body": True})
            self._writing = False
            self._writes += 1
            since_yield += 1
            if since_yield % _CLOCK_CHECK_EVERY_EVENTS == 0 and (
                since_yield >= _YIELD_EVERY_EVENTS
                or time.monotonic() - last_yield >= _YIELD_EVERY_SECONDS
            ):
                await anyio.lowlevel.checkpoint()
                since_yield = 0
                last_yield = time.monotonic()

    async def _keep_alive(self, send: Send, interval: float) -> None:
        """Send a comment once nothing was written for ``interval`` seconds.

        The silence is measured here (checked four times an interval), from
        the event loop's write count, so that the loop does not read the clock
        for every event. A write held up by a slow client counts as activity:
        no ping is squeezed in, and this task does not spin waiting for it.
        """
        step = interval / 4
        seen = self._writes
        quiet_since = time.monotonic()
        while True:
            await anyio.sleep(step)
            now = time.monotonic()
            if self._writing or self._writes != seen:
                seen = self._writes
                quiet_since = now
            elif now - quiet_since >= interval:
                self._pinging = True
                try:
                    async with self._send_lock:
                        await send(self._body(_PING))
                finally:
                    self._pinging = False
                quiet_since = time.monotonic()

    async def _watch_for_shutdown(self, stream: anyio.CancelScope) -> None:
        """Stop the stream when the server shuts down; it then says reconnect."""
        # Polled: uvicorn's signal handler sets a plain attribute, no event.
        while not _server_is_shutting_down():  # noqa: ASYNC110
            await anyio.sleep(_SHUTDOWN_POLL_SECONDS)
        self._shutting_down = True
        stream.cancel()


def streaming_response(
    generator: AsyncIterable[bytes],
    media_type: str = "text/event-stream",
    headers: Mapping[str, str] | None = None,
    *,
    ping_interval: float | None = DEFAULT_PING_INTERVAL,
    background: BackgroundTask | None = None,
) -> EventStreamResponse:
    """Wrap SSE-encoded events (e.g. from :func:`stream_tokens`) in a response.

    ``headers`` are added to, and may override, the anti-buffering defaults.
    ``ping_interval`` is the idle time in seconds before a keep-alive comment
    is sent (a positive number; None turns keep-alive comments off).
    ``background`` runs after the response is sent, as with Starlette's
    ``StreamingResponse``.
    """
    return EventStreamResponse(
        generator,
        headers=headers,
        media_type=media_type,
        background=background,
        ping_interval=ping_interval,
    )


# --- Provider adapters ---------------------------------------------------------
# Each adapter turns an LLM SDK's async stream into the async iterator of text
# tokens that stream_tokens consumes, and closes the provider stream when it ends
# for any reason. The SDKs are not imported: small Protocols describe the parts
# of their stream shapes the adapters read, so this module type-checks and
# imports whether or not an SDK is installed.

_EventT_co = TypeVar("_EventT_co", covariant=True)


@runtime_checkable
class _AsyncEventStream(Protocol[_EventT_co]):
    """An SDK's async event stream.

    ``AsyncStream`` (OpenAI, Groq, Anthropic) or Anthropic's
    ``AsyncMessageStream``.
    """

    def __aiter__(self) -> AsyncIterator[_EventT_co]: ...

    async def close(self) -> None: ...


class _TypedEvent(Protocol):
    """A stream event: Anthropic's and the Responses API's have a ``type``."""

    @property
    def type(self) -> str: ...


class _ChatCompletionDelta(Protocol):
    @property
    def content(self) -> str | None: ...


class _ChatCompletionChoice(Protocol):
    @property
    def delta(self) -> _ChatCompletionDelta: ...


class _ChatCompletionChunk(Protocol):
    @property
    def choices(self) -> Sequence[_ChatCompletionChoice]: ...


async def _texts(
    opening: _AsyncEventStream[T] | Awaitable[_AsyncEventStream[T]],
    text_of: Callable[[T], str | None],
) -> AsyncIterator[str]:
    """Yield each event's non-empty text; close the provider stream at the end.

    ``opening`` may be the SDK call not yet awaited: it is awaited here, on the
    first read, so a failure to open the stream (an HTTP error after the SDK's
    retries) is raised inside the token stream, where :func:`stream_tokens`
    turns it into an ``error`` event, rather than in the route before the
    response has started.
    """
    stream = opening if isinstance(opening, _AsyncEventStream) else await opening
    try:
        async for event in stream:
            text = text_of(event)
            if text:
                yield text
    finally:
        await stream.close()


async def _texts_from_manager(
    manager: AbstractAsyncContextManager[_AsyncEventStream[T]],
    text_of: Callable[[T], str | None],
) -> AsyncIterator[str]:
    """Like ``_texts``, for a stream opened by a context manager that closes it."""
    async with manager as stream:
        async for event in stream:
            text = text_of(event)
            if text:
                yield text


def _anthropic_text(event: _TypedEvent) -> str | None:
    # Only "content_block_delta" events carry text, and only when their delta
    # is a "text_delta"; the others (message_start, content_block_start,
    # content_block_stop, message_delta, message_stop, ping, tool-input and
    # thinking deltas) are not part of the answer's text. Their other fields
    # depend on "type", hence getattr rather than a wider Protocol.
    if event.type != "content_block_delta":
        return None
    delta = getattr(event, "delta", None)
    if getattr(delta, "type", None) != "text_delta":
        return None
    text = getattr(delta, "text", None)
    return text if isinstance(text, str) else None


_AnthropicStream = Union[
    _AsyncEventStream[_TypedEvent],
    Awaitable[_AsyncEventStream[_TypedEvent]],
    AbstractAsyncContextManager[_AsyncEventStream[_TypedEvent]],
]


def anthropic_text_stream(stream: _AnthropicStream) -> AsyncIterator[str]:
    """The text tokens of an Anthropic Messages stream.

    ``stream`` is ``client.messages.create(..., stream=True)``, best not yet
    awaited (it is awaited on the first read, so a failure to open the stream
    becomes an ``error`` event), or what awaiting it returns, or
    ``client.messages.stream(...)`` itself (not yet entered: it is entered
    here). Example::

        stream = client.messages.create(
            model=..., max_tokens=1024, messages=messages, stream=True
        )
        return streaming_response(stream_tokens(anthropic_text_stream(stream)))

    The provider stream is closed when the tokens end for any reason,
    including the client going away, so the request stops and with it the
    billing.
    """
    # An SDK stream is an async context manager too: test for the stream first.
    if not isinstance(stream, _AsyncEventStream) and isinstance(
        stream, AbstractAsyncContextManager
    ):
        return _texts_from_manager(stream, _anthropic_text)
    return _texts(stream, _anthropic_text)


def _chat_completion_text(chunk: _ChatCompletionChunk) -> str | None:
    # The last chunk has no choices when usage is requested, and neither do
    # Azure's content-filter chunks.
    return chunk.choices[0].delta.content if chunk.choices else None


_ChatCompletionStream = Union[
    _AsyncEventStream[_ChatCompletionChunk],
    Awaitable[_AsyncEventStream[_ChatCompletionChunk]],
]


def openai_text_stream(stream: _ChatCompletionStream) -> AsyncIterator[str]:
    """The text tokens of an OpenAI (or Azure OpenAI, or Groq) chat stream.

    ``stream`` is ``client.chat.completions.create(..., stream=True)``, best
    not yet awaited (it is awaited on the first read, so a failure to open the
    stream becomes an ``error`` event), or what awaiting it returns; each
    chunk's text is ``choices[0].delta.content``. Example::

        stream = client.chat.completions.create(
            model=..., messages=messages, stream=True
        )
        return streaming_response(stream_tokens(openai_text_stream(stream)))

    The provider stream is closed when the tokens end for any reason,
    including the client going away.
    """
    return _texts(stream, _chat_completion_text)


class ProviderStreamError(RuntimeError):
    """A failure the provider reported inside a stream, as an ordinary event."""


def _responses_text(event: _TypedEvent) -> str | None:
    if event.type == "response.output_text.delta":
        delta = getattr(event, "delta", None)
        return delta if isinstance(delta, str) else None
    if event.type in ("error", "response.failed"):
        # The SDK yields these like any other event rather than raising: without
        # raising here the answer would end with "done", as if it were complete.
        error = getattr(getattr(event, "response", None), "error", None) or event
        message = getattr(error, "message", None)
        raise ProviderStreamError(message if isinstance(message, str) else event.type)
    return None


_ResponsesStream = Union[
    _AsyncEventStream[_TypedEvent],
    Awaitable[_AsyncEventStream[_TypedEvent]],
]


def openai_responses_text_stream(stream: _ResponsesStream) -> AsyncIterator[str]:
    """The text tokens of an OpenAI Responses API stream.

    ``stream`` is ``client.responses.create(..., stream=True)``, best not yet
    awaited (it is awaited on the first read, so a failure to open the stream
    becomes an ``error`` event), or what awaiting it returns; text arrives in
    the ``delta`` of ``response.output_text.delta`` events. An ``error`` or
    ``response.failed`` event raises :class:`ProviderStreamError`. Example::

        stream = client.responses.create(model=..., input=prompt, stream=True)
        return streaming_response(
            stream_tokens(openai_responses_text_stream(stream))
        )

    The provider stream is closed when the tokens end for any reason,
    including the client going away.
    """
    return _texts(stream, _responses_text)
