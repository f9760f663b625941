"""The resumable response: starts a stream, or resumes one from Last-Event-ID.

A request without ``Last-Event-ID`` starts a new stream (a producer task, see
``_producer``) and follows it; one with ``<stream-id>:<seq>`` gets the events
after it, then the live ones, each with its id (an EventSource sends it back).

A stream belongs to the route that started it, and to its ``owner`` if the
route gave one: the store keeps it under a key made of both and the id, so
a resume through another route, or by another owner, finds nothing (404).

A resume answers 404 for an id it cannot parse or find, 410 once expired,
204 at or past the end of a finished stream; dropped events give one
``HistoryLost`` error event, never a silent gap; a stream whose producer's
lease ran out ends with a stored ``StreamLost`` error.
"""

from __future__ import annotations

import functools
import logging
import os
import secrets
import time
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from ..response import DEFAULT_PING_INTERVAL, EventStreamResponse
from ._errors import ai_sdk_error_event, openai_error_event, sse_error_event
from ._keys import chat_key, parse_last_event_id, route_name, store_key
from ._limits import DEFAULT_ABANDON_AFTER, DEFAULT_KEEP_FOR, POLL_SECONDS
from ._local import local_stream
from ._producer import ErrorEvent, Options, Producer
from ._runner import start_background
from .redis_store import RedisStreamStore
from .store import Batch, MemoryStreamStore, StoreUnavailable, StreamStore

__all__ = [
    "DEFAULT_ABANDON_AFTER",
    "DEFAULT_KEEP_FOR",
    "ResumableStreamResponse",
    "ai_sdk_error_event",
    "chat_stream_response",
    "default_store",
    "openai_error_event",
    "resumable_response",
    "sse_error_event",
]

_logger = logging.getLogger(__name__)

STREAM_ID_HEADER = "x-stream-id"

# Told (id, None) as a stream starts, (id, seq) as a resume after seq starts.
stream_listeners: list[Callable[[str, int | None], None]] = []


def _route_of(scope: Scope) -> str:
    """The route a request came in by: its endpoint, else its path."""
    endpoint: Any = scope.get("endpoint")
    if endpoint is not None:
        return route_name(endpoint)
    return str(scope.get("root_path", "")) + str(scope.get("path", ""))


def json_error(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status)


class ResumableStreamResponse(Response):
    """Starts a resumable stream, or resumes one from ``Last-Event-ID``.

    Made by :func:`resumable_response`; what it answers is decided when it is
    sent: a stream (200), nothing more to send (204), or a JSON error (404
    unknown stream or event, 410 expired, 503 store unavailable).
    """

    def __init__(
        self,
        make_events: Callable[[], AsyncIterator[bytes]] | None,
        options: Options,
        *,
        owner: str | None = None,
        chat_id: str | None = None,
        route: str | None = None,
        headers: dict[str, str] | None = None,
        ping_interval: float | None = DEFAULT_PING_INTERVAL,
    ) -> None:
        super().__init__(status_code=200)
        self._make_events = make_events
        self._options = options
        self._owner = owner
        self._chat_id = chat_id or None
        self._route = route
        self._extra_headers = headers or {}
        self._ping_interval = ping_interval

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        last_event_id = Headers(scope=scope).get("last-event-id")
        response = await self._respond(self._route or _route_of(scope), last_event_id)
        await response(scope, receive, send)

    async def _respond(self, route: str, last_event_id: str | None) -> Response:
        try:
            if self._make_events is None:
                return await self._resume_chat(route)
            if last_event_id is None or self._chat_id is not None:
                return await self._start(route, self._make_events)
            return await self._resume(route, last_event_id)
        except StoreUnavailable:
            _logger.exception("Stream store unavailable")
            return json_error(
                503,
                "store-unavailable",
                "The stream store (Redis) cannot be reached; try again later.",
            )

    async def _start(
        self, route: str, make_events: Callable[[], AsyncIterator[bytes]]
    ) -> Response:
        store, keep_for = self._options.store, self._options.keep_for
        stream_id = secrets.token_hex(16)
        key = store_key(stream_id, route, self._owner)
        await store.create(key, keep_for)
        if self._chat_id is not None:
            chat = chat_key(self._chat_id, route, self._owner)
            previous = await store.active(chat)
            if previous is not None:
                # One answer per chat: the one it replaces is stopped.
                await store.beat(previous, "stop", keep_for)
            await store.set_active(chat, key, keep_for)
        for listener in stream_listeners:
            listener(stream_id, None)
        producer = Producer(self._options, key, make_events)
        await start_background(producer.run)
        return self._stream(stream_id, key, 0, None)

    async def _resume_chat(self, route: str) -> Response:
        """useChat's resume: the chat's active stream from its start, else 204."""
        store = self._options.store
        key = await store.active(chat_key(self._chat_id or "", route, self._owner))
        info = None if key is None else await store.info(key)
        if key is None or info is None or info.state != "live" or info.finished:
            return Response(status_code=204)
        first = await store.read(key, 0, 0)
        return self._stream(key.rpartition("-")[2], key, 0, first)

    async def _resume(self, route: str, last_event_id: str) -> Response:
        store = self._options.store
        parsed = parse_last_event_id(last_event_id)
        if parsed is None:
            return json_error(
                404,
                "unknown-stream",
                "Last-Event-ID is not an id of this endpoint's streams.",
            )
        stream_id, after = parsed
        key = store_key(stream_id, route, self._owner)
        info = await store.info(key)
        if info.state == "unknown":
            return json_error(
                404,
                "unknown-stream",
                "No stream has this id; start a new one without Last-Event-ID.",
            )
        if info.state == "expired":
            return json_error(
                410,
                "expired-stream",
                "This stream has expired; start a new one without Last-Event-ID.",
            )
        if info.finished and after >= info.last:
            # Nothing after this id and nothing more to come: 204 stops an
            # EventSource from reconnecting.
            return Response(status_code=204)
        if after > info.last:
            return json_error(
                404, "unknown-event", "This stream has no event with this id yet."
            )
        first = await store.read(key, after, 0)
        for listener in stream_listeners:
            listener(stream_id, after)
        return self._stream(stream_id, key, after, first)

    def _stream(
        self, stream_id: str, key: str, after: int, first: Batch | None
    ) -> Response:
        return EventStreamResponse(
            self._follow(stream_id, key, after, first),
            # For clients that hide event ids (OpenAI's): stop_response takes it.
            headers={**self._extra_headers, STREAM_ID_HEADER: stream_id},
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
        last_beat = time.monotonic() if first is None else 0.0  # New: its request.
        local = local_stream(key)  # Produced here: served from memory.
        if local is not None:
            local.attach()
        try:
            while True:
                if batch is None and local is not None:
                    batch = await local.read(after)
                elif batch is None:
                    now = time.monotonic()
                    if now - last_beat >= options.beat_every:
                        await store.beat(key, "reader", options.abandon_after)
                        last_beat = now
                if batch is None:
                    batch = await store.read(key, after, POLL_SECONDS)
                    if (
                        not batch.events
                        and not batch.finished
                        and not await store.alive(key, "producer")
                    ):
                        # Its lease ran out: the producer died. The loss is
                        # stored as the end (unless it ended, came back or
                        # wrote meanwhile): later resumes get it at once.
                        lost = options.error_event(
                            "StreamLost", "The stream stopped before its end."
                        )
                        await store.end_lost(key, lost, options.keep_for, after)
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
                events = batch.events
                if events:  # One write for the batch; each event keeps its id.
                    yield b"".join(prefix + b"%d\n" % n + e for n, e in events)
                    after = events[-1][0]
                if batch.finished:
                    return
                batch = None
        except StoreUnavailable:
            _logger.exception("Stream store lost while reading stream %s", stream_id)
            yield options.error_event("StoreUnavailable", "The stream store was lost.")
        finally:
            if local is not None:
                local.detach()


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
    chat_id: str | None = None,
    headers: Mapping[str, str] | None = None,
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

    ``chat_id`` (useChat's chat id, ``body.id``) makes the new stream that
    chat's active answer, which :func:`chat_stream_response` resumes; every
    request then starts a new stream, and stops the chat's previous one.

    ``owner`` binds the stream to a user: only a resume with the same owner
    finds it (404 for anyone else). Pass what the app's auth gives, e.g.
    ``owner=str(user.id)`` with ``user = Depends(current_user)``. Without it
    anyone who holds a stream's id can read it through this route.
    """
    options = _options(store, abandon_after, keep_for, error_event)
    return ResumableStreamResponse(
        make_events,
        options,
        owner=owner,
        chat_id=chat_id,
        headers=dict(headers or {}),
        ping_interval=ping_interval,
    )


def chat_stream_response(
    route: Callable[..., Any],
    chat_id: str,
    *,
    store: StreamStore | None = None,
    abandon_after: float = DEFAULT_ABANDON_AFTER,
    keep_for: float = DEFAULT_KEEP_FOR,
    error_event: ErrorEvent = ai_sdk_error_event,
    owner: str | None = None,
    headers: Mapping[str, str] | None = None,
    ping_interval: float | None = DEFAULT_PING_INTERVAL,
) -> ResumableStreamResponse:
    """useChat's resume (``GET {api}/{chatId}/stream``) of a chat of ``route``,
    the endpoint that starts its streams (``resumable_response(chat_id=)``).

    The chat's active stream from its start (the AI SDK's transport replays
    a resumed stream), then live; 204 No Content when no stream of the chat
    is being written: nothing to resume. Pass the route's ``owner``.
    """
    options = _options(store, abandon_after, keep_for, error_event)
    return ResumableStreamResponse(
        None,
        options,
        owner=owner,
        chat_id=chat_id,
        route=route_name(route),
        headers=dict(headers or {}),
        ping_interval=ping_interval,
    )


def _options(
    store: StreamStore | None,
    abandon_after: float,
    keep_for: float,
    error_event: ErrorEvent,
) -> Options:
    if not abandon_after > 0 or not keep_for > 0:
        raise ValueError("abandon_after and keep_for must be positive seconds")
    return Options(store or default_store(), abandon_after, keep_for, error_event)
