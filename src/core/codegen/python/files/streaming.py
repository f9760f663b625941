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
import inspect
import json
import logging
import math
import signal
import time
import uuid
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
    Sequence,
)
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import (
    Any,
    Generic,
    Literal,
    Optional,
    Protocol,
    TypeVar,
    Union,
    cast,
    runtime_checkable,
)

import anyio
import anyio.lowlevel
from anyio.abc import ObjectSendStream
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from pydantic import BaseModel, StrictBool, StrictStr
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

__all__ = [
    "DEFAULT_PING_INTERVAL",
    "UI_MESSAGE_STREAM_HEADERS",
    "ChatCompletionMessage",
    "ChatCompletionRequest",
    "ChatCompletionStreamOptions",
    "ChatContentPart",
    "EventStreamResponse",
    "ProviderStreamError",
    "ReasoningDelta",
    "StreamPart",
    "TextDelta",
    "TokenSource",
    "ToolCallDelta",
    "ToolCallEnd",
    "ToolCallStart",
    "UIChatRequest",
    "UIMessage",
    "UIMessagePart",
    "anthropic_stream_parts",
    "anthropic_text_stream",
    "format_sse",
    "langchain_text_stream",
    "openai_chat_completion",
    "openai_chat_completion_response",
    "openai_chat_completion_stream",
    "openai_responses_stream_parts",
    "openai_responses_text_stream",
    "openai_stream_parts",
    "openai_text_stream",
    "stream_partial_results",
    "stream_tokens",
    "streaming_response",
    "ui_message_stream",
    "ui_message_stream_response",
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


# --- Stream parts --------------------------------------------------------------
# A token source yields plain text (``str``) or typed parts: reasoning and tool
# calls as well as text. Each encoder below writes them in its protocol; a
# source that yields only ``str`` streams exactly as before.


@dataclass(frozen=True)
class TextDelta:
    """A piece of the answer's text (a plain ``str`` means the same)."""

    text: str


@dataclass(frozen=True)
class ReasoningDelta:
    """A piece of the model's reasoning (thinking, or a summary of it)."""

    text: str


@dataclass(frozen=True)
class ToolCallStart:
    """The model starts calling tool ``name``; ``id`` names this call."""

    id: str
    name: str


@dataclass(frozen=True)
class ToolCallDelta:
    """A fragment of the JSON arguments of the tool call ``id``."""

    id: str
    arguments: str


@dataclass(frozen=True)
class ToolCallEnd:
    """The arguments of the tool call ``id`` are complete."""

    id: str


StreamPart = Union[TextDelta, ReasoningDelta, ToolCallStart, ToolCallDelta, ToolCallEnd]
"""A typed piece of a model's output."""

TokenSource = AsyncIterable[Union[str, StreamPart]]
"""What the encoders read: text (``str``, a text delta) or typed parts."""


class _ToolCall:
    """A tool call being streamed: its arguments are kept until it ends."""

    __slots__ = ("arguments", "id", "index", "name")

    def __init__(self, id: str, name: str, index: int) -> None:
        self.id = id
        self.name = name
        self.index = index
        self.arguments: list[str] = []

    def parsed_arguments(self) -> tuple[bool, Any]:
        """``(True, value)`` for arguments that are JSON, else ``(False, raw)``.

        No arguments at all (a tool without parameters) is an empty object.
        """
        raw = "".join(self.arguments)
        if not raw.strip():
            return True, {}
        try:
            return True, json.loads(raw)
        except ValueError:
            return False, raw


class _ToolCalls:
    """The tool calls of one stream that have started and not yet ended.

    Memory holds only the arguments of calls still open: a source that never
    ends its calls gets them ended when it ends (see ``drain``).
    """

    def __init__(self) -> None:
        self._open: dict[str, _ToolCall] = {}
        self.started = 0

    def start(self, part: ToolCallStart) -> _ToolCall:
        call = _ToolCall(part.id, part.name, self.started)
        self.started += 1
        self._open[part.id] = call
        return call

    def add(self, part: ToolCallDelta) -> _ToolCall | None:
        """The open call the fragment belongs to (None for an unknown id)."""
        call = self._open.get(part.id)
        if call is not None:
            call.arguments.append(part.arguments)
        return call

    def end(self, part: ToolCallEnd) -> _ToolCall | None:
        return self._open.pop(part.id, None)

    def drain(self) -> list[_ToolCall]:
        """End every call still open, in the order they started."""
        calls = list(self._open.values())
        self._open.clear()
        return calls


def _tool_call_event(call: _ToolCall) -> bytes:
    ok, value = call.parsed_arguments()
    data = {"id": call.id, "name": call.name, ("input" if ok else "arguments"): value}
    return format_sse("tool_call", data)


def _sse_part_event(part: StreamPart, calls: _ToolCalls) -> bytes | None:
    """The ``sse`` protocol's event for a part other than text, if it has one."""
    if isinstance(part, ReasoningDelta):
        return format_sse("reasoning", {"text": part.text})
    if isinstance(part, ToolCallStart):
        calls.start(part)
    elif isinstance(part, ToolCallDelta):
        calls.add(part)
    elif isinstance(part, ToolCallEnd):
        call = calls.end(part)
        if call is not None:
            return _tool_call_event(call)
    return None


async def stream_tokens(
    token_generator: TokenSource,
    *,
    include_done: bool = True,
    expose_errors: bool = False,
) -> AsyncIterator[bytes]:
    """Stream text tokens as SSE ``token`` events, each the moment it arrives.

    The generator yields text (``str`` or :class:`TextDelta`) and, if it
    likes, other :data:`StreamPart` s.

    Events:
        ``token`` ``{"text": token}`` for every piece of text;
        ``reasoning`` ``{"text": ...}`` for every :class:`ReasoningDelta`;
        ``tool_call`` ``{"id", "name", "input"}`` once a tool call has ended
        (:class:`ToolCallEnd`, or the end of the stream), ``input`` being its
        arguments parsed as JSON; arguments that are not JSON are sent as
        they came, as ``{"id", "name", "arguments": raw}``;
        ``done`` ``{"text": full_text, "token_count": n}`` at the end, when
        ``include_done`` is true (the text is then kept in memory; without it
        nothing is accumulated and memory stays constant however long the
        stream); text only, counting the text tokens;
        ``error`` ``{"type": "ExceptionClassName", "message": ...}`` if the
        generator raises, after which the stream ends cleanly. The message is
        a generic one and the exception goes to the server log, unless
        ``expose_errors`` is true: then it is ``str(exc)``, which can hold
        URLs, request ids or keys, so turn it on only for trusted clients.

    The token generator is closed (``aclose()``) when the stream ends for any
    reason, including the client going away, so the upstream request stops.
    """
    parts: list[str] = []
    calls = _ToolCalls()
    try:
        async for token in token_generator:
            if isinstance(token, str):
                text = token
            elif isinstance(token, TextDelta):
                text = token.text
            else:
                event = _sse_part_event(token, calls)
                if event is not None:
                    yield event
                continue
            if include_done:
                parts.append(text)
            yield _TOKEN_EVENT_START + _json_dumps(text) + _TOKEN_EVENT_END
        for call in calls.drain():
            yield _tool_call_event(call)
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


# --- Protocols: the Vercel AI SDK and OpenAI Chat Completions -------------------
# The same token source, encoded for the clients people already use: the AI
# SDK's useChat (UI message stream protocol v1) and any OpenAI client (Chat
# Completions, streamed or not). Each encoder yields one complete SSE event per
# chunk, closes the source when the stream ends for any reason, and turns a
# source error into its protocol's error (a generic message unless
# expose_errors) after logging it.

UI_MESSAGE_STREAM_HEADERS: Mapping[str, str] = {
    # How useChat's default transport knows the body is a UI message stream.
    "x-vercel-ai-ui-message-stream": "v1",
}

_DONE_EVENT = b"data: [DONE]\n\n"


def _data_event(data: Any) -> bytes:
    """A data-only SSE event, as the AI SDK and OpenAI write them."""
    return b"data: " + _json_dumps(data) + _EVENT_END


async def ui_message_stream(
    source: TokenSource,
    *,
    message_id: str | None = None,
    expose_errors: bool = False,
) -> AsyncIterator[bytes]:
    """Stream a token source as the Vercel AI SDK's UI message stream (v1).

    What ``useChat`` (its default transport) and ``readUIMessageStream``
    read: data-only SSE events, each a JSON object with a ``type``:

    - ``start`` (with ``messageId`` when ``message_id`` is given);
    - a run of text as ``text-start``, ``text-delta`` (``delta``) per piece,
      ``text-end``, all with the same ``id``; reasoning the same way with
      ``reasoning-start``/``-delta``/``-end``; a new run starts whenever the
      kind changes;
    - a tool call as ``tool-input-start`` (``toolCallId``, ``toolName``),
      ``tool-input-delta`` (``inputTextDelta``) per fragment, and when it
      ends ``tool-input-available`` with the parsed ``input`` (or
      ``tool-input-error`` with the raw text when it is not JSON);
    - ``finish``, then ``data: [DONE]``.

    If the source raises, the open run is ended, an ``error`` event
    (``errorText``: a generic message unless ``expose_errors``) is sent, then
    ``[DONE]`` without ``finish``, as the AI SDK itself does. Send it with
    :func:`ui_message_stream_response`, which adds the
    ``x-vercel-ai-ui-message-stream: v1`` header.
    """
    start: dict[str, str] = {"type": "start"}
    if message_id is not None:
        start["messageId"] = message_id
    yield _data_event(start)
    calls = _ToolCalls()
    # The run of text or reasoning in progress: its kind, its id, and the
    # bytes that start each of its deltas (written once per run, not per delta).
    kind = ""
    run_id = ""
    delta_head = b""
    runs = 0
    try:
        async for part in source:
            if isinstance(part, str):
                text = part
                part_kind = "text"
            elif isinstance(part, TextDelta):
                text = part.text
                part_kind = "text"
            elif isinstance(part, ReasoningDelta):
                text = part.text
                part_kind = "reasoning"
            else:
                if kind:
                    yield _data_event({"type": f"{kind}-end", "id": run_id})
                    kind = ""
                event = _ui_tool_event(part, calls)
                if event is not None:
                    yield event
                continue
            if part_kind != kind:
                if kind:
                    yield _data_event({"type": f"{kind}-end", "id": run_id})
                runs += 1
                kind = part_kind
                run_id = f"{kind}-{runs}"
                yield _data_event({"type": f"{kind}-start", "id": run_id})
                delta_head = _ui_delta_head(f"{kind}-delta", run_id)
            yield delta_head + _json_dumps(text) + _TOKEN_EVENT_END
        if kind:
            yield _data_event({"type": f"{kind}-end", "id": run_id})
            kind = ""
        for call in calls.drain():
            yield _ui_tool_available(call)
    except Exception as exc:
        _logger.exception("Token stream failed; sending an error chunk")
        if kind:
            yield _data_event({"type": f"{kind}-end", "id": run_id})
        error_text = _error_fields(exc, expose_errors)["message"]
        yield _data_event({"type": "error", "errorText": error_text})
        yield _DONE_EVENT
        return
    finally:
        await _aclose(source)
    yield _data_event({"type": "finish"})
    yield _DONE_EVENT


def _ui_delta_head(chunk_type: str, run_id: str) -> bytes:
    """``data: {"type":...,"id":...,"delta":`` for the deltas of one run."""
    head = _json_dumps({"type": chunk_type, "id": run_id})[:-1]
    return b"data: " + head + b',"delta":'


def _ui_tool_available(call: _ToolCall) -> bytes:
    ok, value = call.parsed_arguments()
    chunk_type = "tool-input-available" if ok else "tool-input-error"
    chunk = {
        "type": chunk_type,
        "toolCallId": call.id,
        "toolName": call.name,
        "input": value,
    }
    if not ok:
        chunk["errorText"] = "The tool call's arguments are not valid JSON."
    return _data_event(chunk)


def _ui_tool_event(part: StreamPart, calls: _ToolCalls) -> bytes | None:
    if isinstance(part, ToolCallStart):
        calls.start(part)
        return _data_event(
            {"type": "tool-input-start", "toolCallId": part.id, "toolName": part.name}
        )
    if isinstance(part, ToolCallDelta):
        if calls.add(part) is None:
            return None
        return _data_event(
            {
                "type": "tool-input-delta",
                "toolCallId": part.id,
                "inputTextDelta": part.arguments,
            }
        )
    if isinstance(part, ToolCallEnd):
        call = calls.end(part)
        return None if call is None else _ui_tool_available(call)
    return None


def ui_message_stream_response(
    source: TokenSource,
    *,
    message_id: str | None = None,
    expose_errors: bool = False,
    headers: Mapping[str, str] | None = None,
    ping_interval: float | None = DEFAULT_PING_INTERVAL,
) -> EventStreamResponse:
    """:func:`ui_message_stream` as a response, with its protocol header.

    ``x-vercel-ai-ui-message-stream: v1`` is added to ``headers``; keep-alive
    comments, closing on disconnect and shutdown are those of
    :class:`EventStreamResponse`.
    """
    return streaming_response(
        ui_message_stream(source, message_id=message_id, expose_errors=expose_errors),
        headers={**UI_MESSAGE_STREAM_HEADERS, **(headers or {})},
        ping_interval=ping_interval,
    )


class _Completion:
    """The parts of one Chat Completions answer: ids and its chunks' bytes."""

    def __init__(self, model: str) -> None:
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())
        self.model = model
        head = _json_dumps(
            {
                "id": self.id,
                "object": "chat.completion.chunk",
                "created": self.created,
                "model": model,
            }
        )
        # data: {"id":...,"model":...,"choices":[{"index":0,"delta":
        self.delta_head = b"data: " + head[:-1] + b',"choices":[{"index":0,"delta":'
        self.content_head = self.delta_head + b'{"content":'
        self.content_tail = b'},"logprobs":null,"finish_reason":null}]}\n\n'

    def chunk(
        self, delta: Mapping[str, Any], finish_reason: str | None = None
    ) -> bytes:
        tail = {"logprobs": None, "finish_reason": finish_reason}
        return (
            self.delta_head
            + _json_dumps(delta)
            + b","
            + _json_dumps(tail)[1:-1]
            + b"}]}\n\n"
        )

    def usage_chunk(self, completion_tokens: int) -> bytes:
        return _data_event(
            {
                "id": self.id,
                "object": "chat.completion.chunk",
                "created": self.created,
                "model": self.model,
                "choices": [],
                "usage": _usage(completion_tokens),
            }
        )


def _usage(completion_tokens: int) -> dict[str, int]:
    # The source's deltas are counted, not the model's tokens, which only the
    # provider knows; the prompt is not counted.
    return {
        "prompt_tokens": 0,
        "completion_tokens": completion_tokens,
        "total_tokens": completion_tokens,
    }


def _openai_error(exc: Exception, expose: bool) -> dict[str, Any]:
    """The error object of the OpenAI API, which its clients raise as APIError."""
    return {
        "message": _error_fields(exc, expose)["message"],
        "type": "server_error",
        "param": None,
        "code": None,
    }


async def openai_chat_completion_stream(
    source: TokenSource,
    *,
    model: str,
    include_usage: bool = False,
    expose_errors: bool = False,
) -> AsyncIterator[bytes]:
    """Stream a token source as OpenAI Chat Completions chunks.

    What an OpenAI client reads from ``chat.completions.create(...,
    stream=True)``: data-only SSE events, each a ``chat.completion.chunk``
    with one choice: first ``delta.role``, then ``delta.content`` per piece of
    text, ``delta.reasoning_content`` per piece of reasoning, and
    ``delta.tool_calls`` (the call's ``index``, ``id``, ``type`` and
    ``function.name`` when it starts, then ``function.arguments`` fragments);
    a last chunk with ``finish_reason`` (``tool_calls`` if the answer called
    tools, else ``stop``); when ``include_usage``, a chunk with no choices
    and ``usage`` (the source's deltas counted as completion tokens); then
    ``data: [DONE]``.

    If the source raises, ``data: {"error": {"message", "type", "param",
    "code"}}`` is sent and the stream ends without ``[DONE]``: the official
    clients raise it as an ``APIError``. The message is generic unless
    ``expose_errors``.
    """
    completion = _Completion(model)
    yield completion.chunk({"role": "assistant", "content": ""})
    calls = _ToolCalls()
    deltas = 0
    # Text is most of a stream: its chunk is the two prepared halves around it.
    content_head = completion.content_head
    content_tail = completion.content_tail
    try:
        async for part in source:
            deltas += 1
            if isinstance(part, str):
                yield content_head + _json_dumps(part) + content_tail
            elif isinstance(part, TextDelta):
                yield content_head + _json_dumps(part.text) + content_tail
            elif isinstance(part, ReasoningDelta):
                yield completion.chunk({"reasoning_content": part.text})
            elif isinstance(part, ToolCallStart):
                call = calls.start(part)
                function = {"name": part.name, "arguments": ""}
                tool_call = {
                    "index": call.index,
                    "id": part.id,
                    "type": "function",
                    "function": function,
                }
                yield completion.chunk({"tool_calls": [tool_call]})
            elif isinstance(part, ToolCallDelta):
                call = calls.add(part)
                if call is not None:
                    fragment = {"arguments": part.arguments}
                    tool_call = {"index": call.index, "function": fragment}
                    yield completion.chunk({"tool_calls": [tool_call]})
            else:
                calls.end(part)
    except Exception as exc:
        _logger.exception("Token stream failed; sending an error chunk")
        yield _data_event({"error": _openai_error(exc, expose_errors)})
        return
    finally:
        await _aclose(source)
    finish_reason = "tool_calls" if calls.started else "stop"
    yield completion.chunk({}, finish_reason)
    if include_usage:
        yield completion.usage_chunk(deltas)
    yield _DONE_EVENT


async def openai_chat_completion(source: TokenSource, *, model: str) -> dict[str, Any]:
    """Read a whole token source into one ``chat.completion`` object.

    For ``stream: false`` requests: ``choices[0].message`` has the text as
    ``content`` (None when there is none), ``reasoning_content`` when the
    source reasoned, and ``tool_calls`` (with their arguments as a string,
    as OpenAI sends them) when it called tools. The source is closed at the
    end; an exception from it propagates.
    """
    completion = _Completion(model)
    texts: list[str] = []
    reasoning: list[str] = []
    calls = _ToolCalls()
    ended: list[_ToolCall] = []
    deltas = 0
    try:
        async for part in source:
            deltas += 1
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, TextDelta):
                texts.append(part.text)
            elif isinstance(part, ReasoningDelta):
                reasoning.append(part.text)
            elif isinstance(part, ToolCallStart):
                ended.append(calls.start(part))
            elif isinstance(part, ToolCallDelta):
                calls.add(part)
            else:
                calls.end(part)
    finally:
        await _aclose(source)
    message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) or None}
    if reasoning:
        message["reasoning_content"] = "".join(reasoning)
    if ended:
        message["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": "".join(call.arguments)},
            }
            for call in ended
        ]
    choice = {
        "index": 0,
        "message": message,
        "logprobs": None,
        "finish_reason": "tool_calls" if ended else "stop",
    }
    return {
        "id": completion.id,
        "object": "chat.completion",
        "created": completion.created,
        "model": model,
        "choices": [choice],
        "usage": _usage(deltas),
    }


async def openai_chat_completion_response(
    source: TokenSource,
    *,
    model: str,
    stream: bool,
    include_usage: bool = False,
    expose_errors: bool = False,
) -> Response:
    """The answer to a Chat Completions request, streamed or not.

    ``stream`` true: :func:`openai_chat_completion_stream` in an
    :class:`EventStreamResponse`. Otherwise one ``chat.completion`` JSON
    object (:func:`openai_chat_completion`), or, if the source fails, a 500
    with the API's ``{"error": {...}}`` body, which the clients raise.
    """
    if stream:
        return streaming_response(
            openai_chat_completion_stream(
                source,
                model=model,
                include_usage=include_usage,
                expose_errors=expose_errors,
            )
        )
    try:
        completion = await openai_chat_completion(source, model=model)
    except Exception as exc:
        _logger.exception("Token source failed; answering 500")
        return JSONResponse({"error": _openai_error(exc, expose_errors)}, 500)
    return JSONResponse(completion)


# --- Request bodies ------------------------------------------------------------
# The JSON the clients send, as Pydantic models that work on Pydantic 1 and 2.
# Keys not named here are accepted and ignored; strings are strict (a number
# is not taken for text), so wrong types get FastAPI's 422.

_NO_USER_MESSAGE = (
    "The request has no user message with text: 'messages' must include "
    "at least one message with role 'user'."
)


def _no_user_message() -> HTTPException:
    return HTTPException(status_code=422, detail=_NO_USER_MESSAGE)


class _Conversation:
    """What the routes read from either chat body: its (role, text) turns."""

    def _turns(self) -> Iterable[tuple[str, str]]:
        raise NotImplementedError

    def last_user_text(self) -> str:
        """The text of the last user message; 422 if there is none."""
        text: str | None = None
        for role, content in self._turns():
            if role == "user" and content:
                text = content
        if text is None:
            raise _no_user_message()
        return text

    def chat_messages(self, *, system: bool = True) -> list[Any]:
        """The conversation as ``{"role", "content"}`` dicts (422 if no user).

        Text only, messages without text left out; ``system=False`` leaves
        out system messages too (Anthropic takes them apart from messages).
        The items are typed ``Any`` so that the list can be passed as the
        ``messages`` of any SDK, each of which types them its own way.
        """
        roles = ("system", "user", "assistant") if system else ("user", "assistant")
        conversation: list[dict[str, str]] = [
            {"role": role, "content": content}
            for role, content in self._turns()
            if role in roles and content
        ]
        if not any(message["role"] == "user" for message in conversation):
            raise _no_user_message()
        return conversation

    def system_prompt(self) -> str | None:
        """The system messages' text joined by blank lines; None if none.

        For providers that take the system prompt apart from the messages
        (Anthropic's ``system``), beside ``chat_messages(system=False)``.
        """
        texts = [text for role, text in self._turns() if role == "system" and text]
        return "\n\n".join(texts) if texts else None


_OptionalText = Optional[StrictStr]
_Role = Literal["system", "user", "assistant"]


class UIMessagePart(BaseModel):
    """A part of a UI message: ``{"type": "text", "text": ...}`` or another."""

    type: StrictStr
    text: _OptionalText = None


class UIMessage(BaseModel):
    """A message of the AI SDK's chat: its text is in its ``text`` parts."""

    id: StrictStr = ""
    role: _Role
    parts: list[UIMessagePart]

    def text(self) -> str:
        return "".join(part.text or "" for part in self.parts if part.type == "text")


class UIChatRequest(_Conversation, BaseModel):
    """The body ``useChat``'s default transport posts (AI SDK 5 and later)."""

    id: StrictStr = ""
    messages: list[UIMessage]
    trigger: StrictStr = ""

    def _turns(self) -> Iterable[tuple[str, str]]:
        return ((message.role, message.text()) for message in self.messages)


class ChatContentPart(BaseModel):
    """A part of a message's content: ``{"type": "text", "text": ...}``."""

    type: StrictStr
    text: _OptionalText = None


_MessageContent = Union[StrictStr, list[ChatContentPart], None]


class ChatCompletionMessage(BaseModel):
    """A message of a Chat Completions request."""

    role: StrictStr
    content: _MessageContent = None

    def text(self) -> str:
        if self.content is None or isinstance(self.content, str):
            return self.content or ""
        parts = self.content
        return "".join(part.text or "" for part in parts if part.type == "text")


class ChatCompletionStreamOptions(BaseModel):
    include_usage: StrictBool = False


_OptionalStreamOptions = Optional[ChatCompletionStreamOptions]


class ChatCompletionRequest(_Conversation, BaseModel):
    """The body of ``POST /v1/chat/completions`` as OpenAI clients send it."""

    model: StrictStr = ""
    messages: list[ChatCompletionMessage]
    stream: StrictBool = False
    stream_options: _OptionalStreamOptions = None

    @property
    def include_usage(self) -> bool:
        return self.stream_options is not None and self.stream_options.include_usage

    def _turns(self) -> Iterable[tuple[str, str]]:
        return ((message.role, message.text()) for message in self.messages)


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

    ``AsyncStream`` (OpenAI, Groq, Anthropic), Anthropic's
    ``AsyncMessageStream`` or LiteLLM's ``CustomStreamWrapper``.
    """

    def __aiter__(self) -> AsyncIterator[_EventT_co]: ...

    # Async in the SDKs; synchronous in LiteLLM's CustomStreamWrapper (see
    # _close_stream).
    def close(self) -> object: ...


async def _close_stream(stream: _AsyncEventStream[object]) -> None:
    """Close a provider stream and the HTTP response under it, now.

    ``aclose()`` where the stream has one: LiteLLM's ``CustomStreamWrapper``
    (what ``litellm.acompletion(..., stream=True)`` gives) has an async
    ``aclose()`` that closes the SDK stream it wraps, and a synchronous
    ``close()`` that drops that stream's async close unawaited, leaving the
    connection open.
    """
    if isinstance(stream, _SupportsAclose):
        await stream.aclose()
        return
    closing = stream.close()
    if inspect.isawaitable(closing):
        await closing


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
        await _close_stream(stream)


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
    """The text tokens of an OpenAI (or Azure OpenAI, Groq or LiteLLM) chat stream.

    ``stream`` is ``client.chat.completions.create(..., stream=True)`` or
    ``litellm.acompletion(..., stream=True)``, best not yet awaited (it is
    awaited on the first read, so a failure to open the stream becomes an
    ``error`` event), or what awaiting it returns; each chunk's text is
    ``choices[0].delta.content``. Example::

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


class _LangChainMessageChunk(Protocol):
    """LangChain's ``AIMessageChunk``: its ``content`` is text or content blocks."""

    @property
    def content(self) -> str | Sequence[object]: ...


def _langchain_text(chunk: _LangChainMessageChunk) -> str:
    # A list of content blocks (Anthropic, the Responses API, LangChain's own
    # standard blocks): the text is in the strings and the {"type": "text"}
    # blocks; reasoning, tool-call and image blocks are not part of it.
    content = chunk.content
    if isinstance(content, str):
        return content
    texts: list[str] = []
    for block in content:
        if isinstance(block, str):
            texts.append(block)
        elif isinstance(block, Mapping):
            fields = cast("Mapping[str, object]", block)
            text = fields.get("text")
            if fields.get("type") == "text" and isinstance(text, str):
                texts.append(text)
    return "".join(texts)


async def _langchain_texts(
    chunks: AsyncIterable[_LangChainMessageChunk],
) -> AsyncIterator[str]:
    try:
        async for chunk in chunks:
            text = _langchain_text(chunk)
            if text:
                yield text
    finally:
        await _aclose(chunks)


def langchain_text_stream(
    chunks: AsyncIterable[_LangChainMessageChunk],
) -> AsyncIterator[str]:
    """The text tokens of a LangChain chat model's ``astream(...)``.

    ``chunks`` is ``model.astream(messages)`` (any chat model: ``ChatOpenAI``,
    ``ChatAnthropic``, ...); each ``AIMessageChunk`` gives its ``content`` when
    that is a string, or the text of its text blocks. Example::

        chunks = model.astream(messages)
        return streaming_response(stream_tokens(langchain_text_stream(chunks)))

    ``astream`` is an async generator that opens the provider request on the
    first read, so a failure to open it becomes an ``error`` event. It is
    closed when the tokens end for any reason, including the client going
    away, and with it the provider request.
    """
    return _langchain_texts(chunks)


# The adapters above give text only. Those below give typed parts as well:
# reasoning and tool calls, for stream_tokens, ui_message_stream and
# openai_chat_completion_stream. Each reads one stream with a small state
# machine made for it (which content block or tool call index is which call).

_Part = Union[str, StreamPart]


async def _parts(
    opening: _AsyncEventStream[T] | Awaitable[_AsyncEventStream[T]],
    parts_of: Callable[[T], Iterable[_Part]],
) -> AsyncIterator[_Part]:
    """Like ``_texts``, for an adapter that maps each event to parts."""
    stream = opening if isinstance(opening, _AsyncEventStream) else await opening
    try:
        async for event in stream:
            for part in parts_of(event):
                yield part
    finally:
        await _close_stream(stream)


async def _parts_from_manager(
    manager: AbstractAsyncContextManager[_AsyncEventStream[T]],
    parts_of: Callable[[T], Iterable[_Part]],
) -> AsyncIterator[_Part]:
    """Like ``_parts``, for a stream opened by a context manager that closes it."""
    async with manager as stream:
        async for event in stream:
            for part in parts_of(event):
                yield part


def _str_attr(value: object, name: str) -> str | None:
    """``value.name`` when it is a string (an SDK model's optional field)."""
    attribute = getattr(value, name, None)
    return attribute if isinstance(attribute, str) else None


class _AnthropicParts:
    """Anthropic Messages events -> parts, remembering which block is a tool call.

    ``content_block_start`` of a ``tool_use`` block starts a call (its ``id``
    and ``name``), its ``input_json_delta`` s are the arguments, and its
    ``content_block_stop`` ends it; ``text_delta`` is text, ``thinking_delta``
    reasoning. ``signature_delta`` (the thinking block's signature) and the
    other events carry nothing to stream.
    """

    def __init__(self) -> None:
        self._tool_blocks: dict[int, str] = {}

    def __call__(self, event: _TypedEvent) -> list[_Part]:
        index = getattr(event, "index", None)
        if event.type == "content_block_delta":
            delta = getattr(event, "delta", None)
            delta_type = getattr(delta, "type", None)
            if delta_type == "text_delta":
                text = _str_attr(delta, "text")
                return [text] if text else []
            if delta_type == "thinking_delta":
                thinking = _str_attr(delta, "thinking")
                return [ReasoningDelta(thinking)] if thinking else []
            if delta_type == "input_json_delta" and isinstance(index, int):
                call_id = self._tool_blocks.get(index)
                partial = _str_attr(delta, "partial_json")
                if call_id is not None and partial:
                    return [ToolCallDelta(call_id, partial)]
            return []
        if event.type == "content_block_start" and isinstance(index, int):
            block = getattr(event, "content_block", None)
            call_id = _str_attr(block, "id")
            name = _str_attr(block, "name")
            if getattr(block, "type", None) == "tool_use" and call_id and name:
                self._tool_blocks[index] = call_id
                return [ToolCallStart(call_id, name)]
            return []
        if event.type == "content_block_stop" and isinstance(index, int):
            call_id = self._tool_blocks.pop(index, None)
            return [] if call_id is None else [ToolCallEnd(call_id)]
        return []


def anthropic_stream_parts(stream: _AnthropicStream) -> AsyncIterator[str | StreamPart]:
    """The text, thinking and tool calls of an Anthropic Messages stream.

    Accepts what :func:`anthropic_text_stream` accepts. Yields the answer's
    text as ``str``, extended thinking (``thinking_delta``) as
    :class:`ReasoningDelta`, and each ``tool_use`` block as
    :class:`ToolCallStart`, a :class:`ToolCallDelta` per ``input_json_delta``
    and :class:`ToolCallEnd`. The provider stream is closed when the parts
    end for any reason, including the client going away.
    """
    if not isinstance(stream, _AsyncEventStream) and isinstance(
        stream, AbstractAsyncContextManager
    ):
        return _parts_from_manager(stream, _AnthropicParts())
    return _parts(stream, _AnthropicParts())


class _ChatCompletionParts:
    """Chat Completions chunks -> parts, tool calls keyed by their ``index``.

    A tool call's first delta has its ``id`` and ``function.name``, the
    following ones (same ``index``) fragments of ``function.arguments``; the
    calls end when the choice has a ``finish_reason``. ``delta.reasoning``
    (Groq, OpenRouter) or ``delta.reasoning_content`` (DeepSeek, vLLM) is
    reasoning.
    """

    def __init__(self) -> None:
        self._calls: dict[int, str] = {}

    def __call__(self, chunk: _ChatCompletionChunk) -> list[_Part]:
        if not chunk.choices:
            return []
        choice = chunk.choices[0]
        delta = choice.delta
        parts: list[_Part] = []
        reasoning = _str_attr(delta, "reasoning") or _str_attr(
            delta, "reasoning_content"
        )
        if reasoning:
            parts.append(ReasoningDelta(reasoning))
        if delta.content:
            parts.append(delta.content)
        tool_calls: object = getattr(delta, "tool_calls", None) or ()
        for tool_call in cast("Sequence[object]", tool_calls):
            parts.extend(self._tool_call_parts(tool_call))
        if getattr(choice, "finish_reason", None) and self._calls:
            parts.extend(ToolCallEnd(call_id) for call_id in self._calls.values())
            self._calls.clear()
        return parts

    def _tool_call_parts(self, tool_call: object) -> list[_Part]:
        index = getattr(tool_call, "index", None)
        if not isinstance(index, int):
            return []
        function = getattr(tool_call, "function", None)
        parts: list[_Part] = []
        call_id = self._calls.get(index)
        if call_id is None:
            call_id = _str_attr(tool_call, "id")
            name = _str_attr(function, "name")
            if not call_id or name is None:
                return []
            self._calls[index] = call_id
            parts.append(ToolCallStart(call_id, name))
        arguments = _str_attr(function, "arguments")
        if arguments:
            parts.append(ToolCallDelta(call_id, arguments))
        return parts


def openai_stream_parts(
    stream: _ChatCompletionStream,
) -> AsyncIterator[str | StreamPart]:
    """The text, reasoning and tool calls of a Chat Completions stream.

    For OpenAI, Azure OpenAI, Groq, LiteLLM and other compatible APIs; accepts what
    :func:`openai_text_stream` accepts. Yields ``delta.content`` as ``str``,
    ``delta.reasoning``/``delta.reasoning_content`` as
    :class:`ReasoningDelta`, and ``delta.tool_calls`` as
    :class:`ToolCallStart`/:class:`ToolCallDelta` per call, each ended
    (:class:`ToolCallEnd`) when the choice finishes. The provider stream is
    closed when the parts end for any reason.
    """
    return _parts(stream, _ChatCompletionParts())


class _ResponsesParts:
    """Responses API events -> parts; function calls keyed by their item id.

    ``response.output_item.added`` of a ``function_call`` item starts a call
    (named by its ``call_id``, what a tool result refers to), its
    ``response.function_call_arguments.delta`` s are the arguments and
    ``.done`` ends it. Reasoning comes as ``response.reasoning_summary_text``
    or ``response.reasoning_text`` deltas. An ``error`` or
    ``response.failed`` event raises :class:`ProviderStreamError`.
    """

    def __init__(self) -> None:
        self._calls: dict[str, str] = {}

    def __call__(self, event: _TypedEvent) -> list[_Part]:
        kind = event.type
        if kind == "response.output_text.delta":
            text = _str_attr(event, "delta")
            return [text] if text else []
        if kind in (
            "response.reasoning_summary_text.delta",
            "response.reasoning_text.delta",
        ):
            text = _str_attr(event, "delta")
            return [ReasoningDelta(text)] if text else []
        if kind == "response.output_item.added":
            item = getattr(event, "item", None)
            item_id = _str_attr(item, "id")
            call_id = _str_attr(item, "call_id")
            name = _str_attr(item, "name")
            if getattr(item, "type", None) != "function_call" or not call_id:
                return []
            self._calls[item_id or call_id] = call_id
            return [ToolCallStart(call_id, name or "")]
        if kind == "response.function_call_arguments.delta":
            call_id = self._calls.get(_str_attr(event, "item_id") or "")
            delta = _str_attr(event, "delta")
            return [ToolCallDelta(call_id, delta)] if call_id and delta else []
        if kind in (
            "response.function_call_arguments.done",
            "response.output_item.done",
        ):
            item = getattr(event, "item", None)
            item_id = _str_attr(event, "item_id") or _str_attr(item, "id") or ""
            call_id = self._calls.pop(item_id, None)
            return [] if call_id is None else [ToolCallEnd(call_id)]
        _responses_text(event)  # raises on error events
        return []


def openai_responses_stream_parts(
    stream: _ResponsesStream,
) -> AsyncIterator[str | StreamPart]:
    """The text, reasoning and function calls of a Responses API stream.

    Accepts what :func:`openai_responses_text_stream` accepts. Yields
    ``response.output_text.delta`` as ``str``, reasoning summary (and
    reasoning text) deltas as :class:`ReasoningDelta`, and each
    ``function_call`` output item as :class:`ToolCallStart` (its
    ``call_id`` and ``name``), :class:`ToolCallDelta` per arguments delta and
    :class:`ToolCallEnd`. An ``error`` or ``response.failed`` event raises
    :class:`ProviderStreamError`. The provider stream is closed when the
    parts end for any reason.
    """
    return _parts(stream, _ResponsesParts())
