"""The resumable response: starts a stream, or resumes one from Last-Event-ID.

A request without ``Last-Event-ID`` starts a new stream (a producer task, see
``_producer``) and follows it; one with an id ``<stream-id>:<seq>`` gets the
events after it, then the live ones. Every event goes out with its id, which
is what an EventSource sends back when it reconnects.

A stream belongs to the route that started it, and to its ``owner`` if the
route gave one: the store keeps it under a key made of both and the id, so
a resume through another route, or by another owner, finds nothing (404).

A resume answers 404 for an id it cannot parse or find, 410 once expired,
204 at or past the end of a finished stream; events it no longer keeps give
one ``HistoryLost`` error event, never a silent gap, and a stream whose
producer's lease ran out ends with a stored ``StreamLost`` error.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import secrets
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from ..events import EVENT_END, format_sse, json_dumps
from ..response import DEFAULT_PING_INTERVAL, EventStreamResponse
from ._limits import DEFAULT_ABANDON_AFTER, DEFAULT_KEEP_FOR, POLL_SECONDS, PRODUCER_TTL
from ._producer import ErrorEvent, Options, Producer
from ._runner import start_background
from .redis_store import RedisStreamStore
from .store import Batch, MemoryStreamStore, StoreUnavailable, StreamStore

__all__ = [
    "DEFAULT_ABANDON_AFTER",
    "DEFAULT_KEEP_FOR",
    "ResumableStreamResponse",
    "ai_sdk_error_event",
    "default_store",
    "openai_error_event",
    "resumable_response",
    "sse_error_event",
]

_logger = logging.getLogger(__name__)

# Told (stream id, None) as a stream starts and (stream id, seq) as a resume
# after seq is served; the optional ``telemetry`` module listens.
stream_listeners: list[Callable[[str, int | None], None]] = []


def sse_error_event(kind: str, message: str) -> bytes:
    """The ``sse`` protocol's ``error`` event (the default ``error_event``)."""
    return format_sse("error", {"type": kind, "message": message})


def _data_event(data: object) -> bytes:
    # Not protocols._common's: a resumable sse route would then get protocols/.
    return b"data: " + json_dumps(data) + EVENT_END


def ai_sdk_error_event(kind: str, message: str) -> bytes:
    """The AI SDK's ``error`` chunk, for a route that streams that protocol."""
    return _data_event({"type": "error", "errorText": f"{kind}: {message}"})


def openai_error_event(kind: str, message: str) -> bytes:
    """The OpenAI API's error object in the stream, which its clients raise."""
    error = {"message": message, "type": "server_error", "param": None, "code": kind}
    return _data_event({"error": error})


_HEX = frozenset("0123456789abcdef")
_DIGITS = frozenset("0123456789")
_PAST_EVERY_END = 10**19
"""What a sequence number of more than 19 digits counts as: no stream has
that many events, and int() is never asked to read a huge number."""


def _parse_last_event_id(value: str) -> tuple[str, int] | None:
    """``(stream id, seq)`` from ``<32 hex digits>:<ASCII digits>``, else None."""
    stream_id, _, seq = value.strip(" \t").rpartition(":")
    if len(stream_id) != 32 or not _HEX.issuperset(stream_id):
        return None
    if not seq or not _DIGITS.issuperset(seq):
        return None  # str.isdigit() would take "²", which int() refuses.
    return stream_id, _PAST_EVERY_END if len(seq) > 19 else int(seq)


def _route_of(scope: Scope) -> str:
    """The route a request came in by: its endpoint, else its path."""
    endpoint: Any = scope.get("endpoint")
    if endpoint is not None:
        return f"{endpoint.__module__}.{endpoint.__qualname__}"
    return str(scope.get("root_path", "")) + str(scope.get("path", ""))


def _store_id(stream_id: str, route: str, owner: str | None) -> str:
    """The stream's key in the store: its route, its owner and its id."""
    bound = route if owner is None else f"{route}\nowner:{owner}"
    return hashlib.sha256(bound.encode()).hexdigest()[:32] + "-" + stream_id


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _json_error(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status)


class ResumableStreamResponse(Response):
    """Starts a resumable stream, or resumes one from ``Last-Event-ID``.

    Made by :func:`resumable_response`; what it answers is decided when it is
    sent: a stream (200), nothing more to send (204), or a JSON error (404
    unknown stream or event, 410 expired, 503 store unavailable).
    """

    def __init__(
        self,
        make_events: Callable[[], AsyncIterator[bytes]],
        options: Options,
        *,
        owner: str | None = None,
        headers: dict[str, str] | None = None,
        ping_interval: float | None = DEFAULT_PING_INTERVAL,
    ) -> None:
        super().__init__(status_code=200)
        self._make_events = make_events
        self._options = options
        self._owner = owner
        self._extra_headers = headers or {}
        self._ping_interval = ping_interval

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        last_event_id = _header(scope, b"last-event-id")
        response = await self._respond(_route_of(scope), last_event_id)
        await response(scope, receive, send)

    async def _respond(self, route: str, last_event_id: str | None) -> Response:
        store = self._options.store
        try:
            if last_event_id is None:
                stream_id = secrets.token_hex(16)
                key = _store_id(stream_id, route, self._owner)
                await store.create(key, self._options.keep_for)
                await store.beat(key, "reader", self._options.abandon_after)
                await store.beat(key, "producer", PRODUCER_TTL)
                for listener in stream_listeners:
                    listener(stream_id, None)
                producer = Producer(self._options, key, self._make_events)
                await start_background(producer.run)
                return self._stream(stream_id, key, 0, None)
            parsed = _parse_last_event_id(last_event_id)
            if parsed is None:
                return _json_error(
                    404,
                    "unknown-stream",
                    "Last-Event-ID is not an id of this endpoint's streams.",
                )
            stream_id, after = parsed
            key = _store_id(stream_id, route, self._owner)
            info = await store.info(key)
            if info.state == "unknown":
                return _json_error(
                    404,
                    "unknown-stream",
                    "No stream has this id; start a new one without Last-Event-ID.",
                )
            if info.state == "expired":
                return _json_error(
                    410,
                    "expired-stream",
                    "This stream has expired; start a new one without Last-Event-ID.",
                )
            if info.finished and after >= info.last:
                # Nothing after this id and nothing more to come: 204 stops an
                # EventSource from reconnecting.
                return Response(status_code=204)
            if after > info.last:
                return _json_error(
                    404, "unknown-event", "This stream has no event with this id yet."
                )
            first = await store.read(key, after, 0)
            for listener in stream_listeners:
                listener(stream_id, after)
            return self._stream(stream_id, key, after, first)
        except StoreUnavailable:
            _logger.exception("Stream store unavailable")
            return _json_error(
                503,
                "store-unavailable",
                "The stream store (Redis) cannot be reached; try again later.",
            )

    def _stream(
        self, stream_id: str, key: str, after: int, first: Batch | None
    ) -> Response:
        return EventStreamResponse(
            self._follow(stream_id, key, after, first),
            headers=self._extra_headers,
            ping_interval=self._ping_interval,
        )

    async def _follow(
        self, stream_id: str, key: str, after: int, first: Batch | None
    ) -> AsyncIterator[bytes]:
        """The events after ``after`` with their ids, then the live ones."""
        options = self._options
        store = options.store
        prefix = b"id: " + stream_id.encode("ascii") + b":"
        batch = first
        last_beat = 0.0
        try:
            while True:
                if batch is None:
                    now = time.monotonic()
                    if now - last_beat >= options.beat_every:
                        await store.beat(key, "reader", options.abandon_after)
                        last_beat = now
                    batch = await store.read(key, after, POLL_SECONDS)
                    if (
                        not batch.events
                        and not batch.finished
                        and not await store.alive(key, "producer")
                    ):
                        # Its lease ran out: the producer died. The loss is
                        # stored as the stream's end (unless it ended or came
                        # back meanwhile), so later resumes get it at once.
                        lost = options.error_event(
                            "StreamLost", "The stream stopped before its end."
                        )
                        await store.end_lost(key, lost, options.keep_for)
                        batch = await store.read(key, after, 0)
                if batch.events and batch.events[0][0] != after + 1:
                    dropped = batch.events[0][0] - 1
                    message = (
                        f"Events {after + 1} to {dropped} of this stream are no"
                        " longer kept; resuming from here skips them."
                    )
                    lost = options.error_event("HistoryLost", message)
                    yield prefix + str(dropped).encode("ascii") + b"\n" + lost
                    return
                for seq, event in batch.events:
                    yield prefix + str(seq).encode("ascii") + b"\n" + event
                    after = seq
                if batch.finished:
                    return
                batch = None
        except StoreUnavailable:
            _logger.exception("Stream store lost while reading stream %s", stream_id)
            yield options.error_event("StoreUnavailable", "The stream store was lost.")


@functools.cache
def default_store() -> StreamStore:
    """Redis when ``REDIS_URL`` is set, else the in-process store (per process)."""
    url = os.environ.get("REDIS_URL")
    return RedisStreamStore.from_url(url) if url else MemoryStreamStore()


def resumable_response(
    make_events: Callable[[], AsyncIterator[bytes]],
    *,
    store: StreamStore | None = None,
    abandon_after: float = DEFAULT_ABANDON_AFTER,
    keep_for: float = DEFAULT_KEEP_FOR,
    error_event: ErrorEvent = sse_error_event,
    owner: str | None = None,
    headers: dict[str, str] | None = None,
    ping_interval: float | None = DEFAULT_PING_INTERVAL,
) -> ResumableStreamResponse:
    """A resumable SSE response for the events ``make_events()`` encodes.

    ``make_events`` is called once, when a new stream starts (a request
    without ``Last-Event-ID``), never on a reconnect: pass a lambda around the
    encoder, e.g. ``lambda: stream_tokens(tokens(prompt))``. ``store``
    defaults to :func:`default_store`. ``error_event(type, message)`` makes the
    event sent when the store is lost, the producer fails, is abandoned or
    lost, or a replay's history was dropped: :func:`sse_error_event` (the
    default), :func:`ai_sdk_error_event` or :func:`openai_error_event`.

    ``owner`` binds the stream to a user: only a resume with the same owner
    finds it (404 for anyone else). Pass what the app's auth gives, e.g.
    ``owner=str(user.id)`` with ``user = Depends(current_user)``. Without it
    anyone who holds a stream's id can read it through this route.
    """
    if not abandon_after > 0 or not keep_for > 0:
        raise ValueError("abandon_after and keep_for must be positive seconds")
    options = Options(store or default_store(), abandon_after, keep_for, error_event)
    return ResumableStreamResponse(
        make_events,
        options,
        owner=owner,
        headers=headers,
        ping_interval=ping_interval,
    )
