"""The resumable response: starts a stream, or resumes one from Last-Event-ID.

A request without ``Last-Event-ID`` starts a new stream (a producer task, see
``_producer``) and follows it; one with an id ``<stream-id>:<seq>`` gets the
events after it, then the live ones. Every event goes out with its id, which
is what an EventSource sends back when it reconnects.
"""

from __future__ import annotations

import functools
import logging
import os
import secrets
import time
from collections.abc import AsyncIterator, Callable

from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from ..events import format_sse
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
    "default_store",
    "resumable_response",
]

_logger = logging.getLogger(__name__)

# Told (stream id, None) as a stream starts and (stream id, seq) as a resume
# after seq is served; the optional ``telemetry`` module listens.
stream_listeners: list[Callable[[str, int | None], None]] = []


def _sse_error(kind: str, message: str) -> bytes:
    return format_sse("error", {"type": kind, "message": message})


def _parse_last_event_id(value: str) -> tuple[str, int] | None:
    stream_id, _, seq = value.strip().rpartition(":")
    if not stream_id or not seq.isdigit() or not stream_id.isalnum():
        return None
    return stream_id, int(seq)


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
    unknown stream, 410 expired, 503 store unavailable).
    """

    def __init__(
        self,
        make_events: Callable[[], AsyncIterator[bytes]],
        options: Options,
        *,
        headers: dict[str, str] | None = None,
        ping_interval: float | None = DEFAULT_PING_INTERVAL,
    ) -> None:
        super().__init__(status_code=200)
        self._make_events = make_events
        self._options = options
        self._extra_headers = headers or {}
        self._ping_interval = ping_interval

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self._respond(_header(scope, b"last-event-id"))
        await response(scope, receive, send)

    async def _respond(self, last_event_id: str | None) -> Response:
        store = self._options.store
        try:
            if last_event_id is None:
                stream_id = secrets.token_hex(16)
                await store.create(stream_id, self._options.keep_for)
                await store.beat(stream_id, "reader", self._options.abandon_after)
                await store.beat(stream_id, "producer", PRODUCER_TTL)
                for listener in stream_listeners:
                    listener(stream_id, None)
                producer = Producer(self._options, stream_id, self._make_events)
                await start_background(producer.run)
                return self._stream(stream_id, 0, None)
            parsed = _parse_last_event_id(last_event_id)
            if parsed is None:
                return _json_error(
                    404,
                    "unknown-stream",
                    "Last-Event-ID is not an id of this endpoint's streams.",
                )
            stream_id, after = parsed
            state = await store.state(stream_id)
            if state == "unknown":
                return _json_error(
                    404,
                    "unknown-stream",
                    "No stream has this id; start a new one without Last-Event-ID.",
                )
            if state == "expired":
                return _json_error(
                    410,
                    "expired-stream",
                    "This stream has expired; start a new one without Last-Event-ID.",
                )
            first = await store.read(stream_id, after, 0)
            if first.finished and not first.events:
                # Nothing after this id and nothing more to come: 204 stops an
                # EventSource from reconnecting.
                return Response(status_code=204)
            for listener in stream_listeners:
                listener(stream_id, after)
            return self._stream(stream_id, after, first)
        except StoreUnavailable:
            _logger.exception("Stream store unavailable")
            return _json_error(
                503,
                "store-unavailable",
                "The stream store (Redis) cannot be reached; try again later.",
            )

    def _stream(self, stream_id: str, after: int, first: Batch | None) -> Response:
        return EventStreamResponse(
            self._follow(stream_id, after, first),
            headers=self._extra_headers,
            ping_interval=self._ping_interval,
        )

    async def _follow(
        self, stream_id: str, after: int, first: Batch | None
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
                        await store.beat(stream_id, "reader", options.abandon_after)
                        last_beat = now
                    batch = await store.read(stream_id, after, POLL_SECONDS)
                    if (
                        not batch.events
                        and not batch.finished
                        and not await store.alive(stream_id, "producer")
                    ):
                        # Read once more: the producer may have just finished.
                        batch = await store.read(stream_id, after, 0)
                        if not batch.events and not batch.finished:
                            yield options.error_event(
                                "StreamLost", "The stream stopped before its end."
                            )
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
    error_event: ErrorEvent = _sse_error,
    headers: dict[str, str] | None = None,
    ping_interval: float | None = DEFAULT_PING_INTERVAL,
) -> ResumableStreamResponse:
    """A resumable SSE response for the events ``make_events()`` encodes.

    ``make_events`` is called once, when a new stream starts (a request
    without ``Last-Event-ID``), never on a reconnect: pass a lambda around the
    encoder, e.g. ``lambda: stream_tokens(tokens(prompt))``. ``store``
    defaults to :func:`default_store`. ``error_event(type, message)`` makes the
    event sent when the store is lost, the producer fails or is abandoned
    (default: the ``sse`` protocol's ``error`` event).
    """
    if not abandon_after > 0 or not keep_for > 0:
        raise ValueError("abandon_after and keep_for must be positive seconds")
    options = Options(store or default_store(), abandon_after, keep_for, error_event)
    return ResumableStreamResponse(
        make_events, options, headers=headers, ping_interval=ping_interval
    )
