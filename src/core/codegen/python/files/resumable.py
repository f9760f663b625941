"""Resumable Server-Sent Events streams: an answer that survives reconnects.

A page reload, a phone switching networks or a proxy timeout drops an SSE
connection. With a resumable stream the answer is not lost, and not paid for
again: the events are produced by a task of their own, decoupled from the
connection, and kept in a store; every event carries an id
``<stream-id>:<seq>``, and a request that sends ``Last-Event-ID`` (a browser's
EventSource does so by itself when it reconnects) gets the events after that
id, then follows the live stream, on whichever worker it lands.

Example::

    from .resumable import ResumableStreamResponse, resumable_response
    from .streaming import stream_tokens


    @app.get("/stream")
    async def stream(prompt: str = "Hi") -> ResumableStreamResponse:
        return resumable_response(lambda: stream_tokens(tokens(prompt)))

The events are made (``tokens(prompt)`` called) only when a new stream
starts, never on a reconnect. The store is Redis (Redis Streams) when the
``REDIS_URL`` environment variable is set, so that every worker behind a load
balancer reads the same streams; otherwise an in-process store, enough for a
single worker and with nothing to install.

- A stream that nobody reads for ``abandon_after`` seconds (default 30) is
  cancelled: its token source is closed, so the provider request, and its
  billing, stop.
- A finished stream stays readable for ``keep_for`` seconds (default 600).
- An unknown ``Last-Event-ID`` gets 404 and an expired one 410, with a JSON
  body; a reconnect after the last event of a finished stream gets 204, which
  tells an EventSource to stop reconnecting.
- Redis unreachable when a stream starts: 503 with a JSON body, within the
  connect timeout. Redis lost mid-stream: one ``error`` event, then the
  stream ends cleanly. Every wait has a bound.

The events are stored as they were encoded (any encoder of the streaming
module: one complete SSE event per chunk), so this works with every protocol;
keep-alive pings are added per connection and never stored.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import logging
import os
import secrets
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Protocol, cast, runtime_checkable

import anyio
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from .streaming import DEFAULT_PING_INTERVAL, EventStreamResponse, format_sse

__all__ = [
    "DEFAULT_ABANDON_AFTER",
    "DEFAULT_KEEP_FOR",
    "Batch",
    "MemoryStreamStore",
    "RedisStreamStore",
    "ResumableStreamResponse",
    "StoreUnavailable",
    "StreamStore",
    "default_store",
    "resumable_response",
]

DEFAULT_ABANDON_AFTER = 30.0
"""Seconds a stream keeps producing while nobody reads it."""

DEFAULT_KEEP_FOR = 600.0
"""Seconds a finished stream stays readable."""

REDIS_CONNECT_TIMEOUT = 2.0
"""Seconds to wait for a connection to Redis before answering 503."""

# The longest a reader waits for new events in one call to the store; between
# two calls it tells the store it is still there.
_POLL_SECONDS = 1.0
# Seconds a producer's sign of life lasts: readers that see neither new events
# nor a producer for this long end the stream with an error instead of
# waiting for ever (the producing worker was killed).
_PRODUCER_TTL = 10.0
# Bounds the events kept per stream (Redis XADD MAXLEN): a runaway generator
# cannot fill the store.
_MAX_EVENTS = 100_000
# The most events written to the store in one round trip.
_BATCH_EVENTS = 256
# How long an expired stream is remembered, to answer 410 rather than 404.
_TOMBSTONE_SECONDS = 86_400.0
# The bound on closing a token source, and on the last writes of a stream.
_CLEANUP_SECONDS = 5.0
# Redis: no command waits on the network longer than this.
_REDIS_SOCKET_TIMEOUT = _POLL_SECONDS + 4.0

_logger = logging.getLogger(__name__)

StreamState = Literal["live", "expired", "unknown"]


class StoreUnavailable(Exception):
    """The stream store cannot be reached (Redis down, or the network)."""


@dataclass(frozen=True)
class Batch:
    """Events read from a stream: ``(seq, event)`` pairs, and whether it ended."""

    events: list[tuple[int, bytes]]
    finished: bool


class StreamStore(Protocol):
    """Where resumable streams live: the one interface both stores implement.

    Sequence numbers start at 1 and have no gaps. ``role`` is ``"reader"`` or
    ``"producer"``: each side's sign of life, which lasts ``ttl`` seconds.
    Every method raises :class:`StoreUnavailable` when the store cannot be
    reached, and returns within a bounded time.
    """

    async def create(self, stream_id: str, keep_for: float) -> None:
        """Register a new, empty stream."""
        ...

    async def append(self, stream_id: str, seq: int, events: list[bytes]) -> None:
        """Store ``events`` (encoded SSE events) as numbers ``seq``, ``seq + 1``..."""
        ...

    async def finish(self, stream_id: str, after: int, keep_for: float) -> None:
        """Mark the stream ended after event ``after``; keep it ``keep_for`` s."""
        ...

    async def state(self, stream_id: str) -> StreamState:
        """Whether the stream can be read, has expired, or was never known."""
        ...

    async def read(self, stream_id: str, after: int, wait: float) -> Batch:
        """The events after ``after``, waiting up to ``wait`` s for one."""
        ...

    async def beat(self, stream_id: str, role: str, ttl: float) -> None:
        """Record a sign of life of ``role`` that lasts ``ttl`` seconds."""
        ...

    async def alive(self, stream_id: str, role: str) -> bool:
        """Whether ``role`` showed a sign of life that has not run out."""
        ...


# --- In-process store ----------------------------------------------------------


@dataclass
class _MemoryStream:
    events: list[bytes] = field(default_factory=lambda: [])
    finished: bool = False
    expires_at: float = 0.0
    beats: dict[str, float] = field(default_factory=lambda: {})
    changed: asyncio.Event = field(default_factory=asyncio.Event)


class MemoryStreamStore:
    """Streams in this process's memory: one worker, nothing to set up.

    A reconnect that lands on another worker process does not find the
    stream here (404): run several workers with Redis (``REDIS_URL``).
    """

    def __init__(self, *, max_tombstones: int = 10_000) -> None:
        self._streams: dict[str, _MemoryStream] = {}
        self._tombstones: OrderedDict[str, None] = OrderedDict()
        self._max_tombstones = max_tombstones

    def _get(self, stream_id: str) -> _MemoryStream | None:
        stream = self._streams.get(stream_id)
        if stream is not None and time.monotonic() >= stream.expires_at:
            self._expire(stream_id)
            return None
        return stream

    def _expire(self, stream_id: str) -> None:
        self._streams.pop(stream_id, None)
        self._tombstones[stream_id] = None
        while len(self._tombstones) > self._max_tombstones:
            self._tombstones.popitem(last=False)

    def _sweep(self) -> None:
        now = time.monotonic()
        for stream_id in [k for k, s in self._streams.items() if now >= s.expires_at]:
            self._expire(stream_id)

    async def create(self, stream_id: str, keep_for: float) -> None:
        self._sweep()
        self._streams[stream_id] = _MemoryStream(expires_at=time.monotonic() + keep_for)

    async def append(self, stream_id: str, seq: int, events: list[bytes]) -> None:
        stream = self._streams[stream_id]
        stream.events.extend(events)
        stream.changed.set()
        stream.changed = asyncio.Event()

    async def finish(self, stream_id: str, after: int, keep_for: float) -> None:
        stream = self._streams.get(stream_id)
        if stream is not None:
            stream.finished = True
            stream.expires_at = time.monotonic() + keep_for
            stream.changed.set()

    async def state(self, stream_id: str) -> StreamState:
        if self._get(stream_id) is not None:
            return "live"
        return "expired" if stream_id in self._tombstones else "unknown"

    async def read(self, stream_id: str, after: int, wait: float) -> Batch:
        stream = self._get(stream_id)
        if stream is None:
            return Batch([], True)
        if len(stream.events) <= after and not stream.finished and wait > 0:
            with anyio.move_on_after(wait):
                await stream.changed.wait()
        events = stream.events[after:]
        return Batch(list(enumerate(events, after + 1)), stream.finished)

    async def beat(self, stream_id: str, role: str, ttl: float) -> None:
        stream = self._streams.get(stream_id)
        if stream is not None:
            stream.beats[role] = time.monotonic() + ttl

    async def alive(self, stream_id: str, role: str) -> bool:
        stream = self._streams.get(stream_id)
        return stream is not None and stream.beats.get(role, 0.0) > time.monotonic()


# --- Redis store ---------------------------------------------------------------
# One Redis stream per answer, key "<prefix><stream-id>". Event number n has
# the entry id "n-1", so reading after event n is XREAD from "n-1"; the entry
# "0-1" marks the stream's creation and the last entry, with a field "end",
# its end. Beside it: "<key>:gone" (a tombstone, to tell expired from
# unknown) and "<key>:reader" / "<key>:producer" (signs of life with a TTL).


class _RedisPipeline(Protocol):
    """The part of a ``redis.asyncio`` pipeline this store uses.

    Described here rather than imported so that this module imports, and
    type-checks, without redis installed.
    """

    async def __aenter__(self) -> _RedisPipeline: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> object: ...

    def execute_command(self, *args: Any) -> object: ...

    async def execute(self) -> list[Any]: ...


class RedisClient(Protocol):
    """The part of ``redis.asyncio.Redis`` this store uses."""

    def pipeline(self, transaction: bool = ...) -> _RedisPipeline: ...


class RedisStreamStore:
    """Streams in Redis Streams, shared by every worker that uses the same Redis.

    ``client`` is a ``redis.asyncio.Redis`` made with ``decode_responses``
    off; :meth:`from_url` makes one with bounded connect and socket timeouts.
    """

    def __init__(
        self, client: RedisClient, *, prefix: str = "catalyst:stream:"
    ) -> None:
        self._client = client
        self._prefix = prefix
        # keep_for of the streams this process produces (append moves expiry).
        self._keep_for: dict[str, float] = {}

    @classmethod
    def from_url(
        cls, url: str, *, prefix: str = "catalyst:stream:"
    ) -> RedisStreamStore:
        """A store on ``url`` (``redis://host:port/db``), failing fast when down."""
        # Imported here: the in-process store must work without redis installed.
        redis_asyncio = importlib.import_module("redis.asyncio")
        retry = importlib.import_module("redis.asyncio.retry")
        backoff = importlib.import_module("redis.backoff")
        client = redis_asyncio.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_CONNECT_TIMEOUT,
            socket_timeout=_REDIS_SOCKET_TIMEOUT,
            # One attempt: an unreachable Redis must become a 503 within the
            # connect timeout, not after rounds of retries.
            retry=retry.Retry(backoff.NoBackoff(), 0),
        )
        return cls(cast("RedisClient", client), prefix=prefix)

    async def _run(self, *commands: tuple[object, ...]) -> list[Any]:
        """Send commands in one round trip; connection failures become ours."""
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                for command in commands:
                    pipe.execute_command(*command)
                return await pipe.execute()
        except (OSError, asyncio.TimeoutError) as exc:
            raise StoreUnavailable(str(exc)) from exc
        except Exception as exc:
            if type(exc).__module__.startswith("redis"):
                raise StoreUnavailable(str(exc)) from exc
            raise

    def _key(self, stream_id: str) -> str:
        return self._prefix + stream_id

    async def create(self, stream_id: str, keep_for: float) -> None:
        key = self._key(stream_id)
        self._keep_for[stream_id] = keep_for
        await self._run(
            ("XADD", key, "0-1", "start", "1"),
            ("PEXPIRE", key, _ms(keep_for)),
            ("SET", f"{key}:gone", "1", "PX", _ms(keep_for + _TOMBSTONE_SECONDS)),
        )

    async def append(self, stream_id: str, seq: int, events: list[bytes]) -> None:
        key = self._key(stream_id)
        bound = ("MAXLEN", "~", _MAX_EVENTS)
        commands = [
            ("XADD", key, *bound, f"{seq + offset}-1", "e", event)
            for offset, event in enumerate(events)
        ]
        # The expiry moves with every batch: a stream whose producer died
        # without finishing it is removed keep_for after its last event.
        keep_for = self._keep_for.get(stream_id, DEFAULT_KEEP_FOR)
        await self._run(*commands, ("PEXPIRE", key, _ms(keep_for)))

    async def finish(self, stream_id: str, after: int, keep_for: float) -> None:
        key = self._key(stream_id)
        self._keep_for.pop(stream_id, None)
        await self._run(
            ("XADD", key, f"{after + 1}-1", "end", "1"),
            ("PEXPIRE", key, _ms(keep_for)),
            ("SET", f"{key}:gone", "1", "PX", _ms(keep_for + _TOMBSTONE_SECONDS)),
        )

    async def state(self, stream_id: str) -> StreamState:
        key = self._key(stream_id)
        exists, gone = await self._run(("EXISTS", key), ("EXISTS", f"{key}:gone"))
        if exists:
            return "live"
        return "expired" if gone else "unknown"

    async def read(self, stream_id: str, after: int, wait: float) -> Batch:
        key = self._key(stream_id)
        block = ("BLOCK", _ms(wait)) if wait > 0 else ()
        command = ("XREAD", *block, "COUNT", 1000, "STREAMS", key, f"{after}-1")
        (reply,) = await self._run(command)
        events: list[tuple[int, bytes]] = []
        finished = False
        for _key, entries in _stream_entries(reply):
            for entry_id, fields in entries:
                if b"end" in fields:
                    finished = True
                    break
                events.append((int(entry_id.split(b"-")[0]), fields[b"e"]))
        if not events and not finished and not (await self.state(stream_id)) == "live":
            # Expired (or deleted) while being read.
            finished = True
        return Batch(events, finished)

    async def beat(self, stream_id: str, role: str, ttl: float) -> None:
        await self._run(("SET", f"{self._key(stream_id)}:{role}", "1", "PX", _ms(ttl)))

    async def alive(self, stream_id: str, role: str) -> bool:
        (exists,) = await self._run(("EXISTS", f"{self._key(stream_id)}:{role}"))
        return bool(exists)


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def _stream_entries(
    reply: Any,
) -> list[tuple[bytes, list[tuple[bytes, dict[bytes, bytes]]]]]:
    """XREAD's reply as (key, [(entry id, fields)]); RESP2 and RESP3 shapes."""
    if not reply:
        return []
    if isinstance(reply, dict):
        return list(reply.items())  # pyright: ignore[reportUnknownArgumentType]
    return [(key, entries) for key, entries in reply]


# --- The producer --------------------------------------------------------------


def _sse_error(kind: str, message: str) -> bytes:
    return format_sse("error", {"type": kind, "message": message})


ErrorEvent = Callable[[str, str], bytes]
"""Makes the protocol's error event from an error type and a message."""


@runtime_checkable
class _SupportsAclose(Protocol):
    def aclose(self) -> Awaitable[object]: ...


@dataclass
class _Options:
    store: StreamStore
    abandon_after: float
    keep_for: float
    error_event: ErrorEvent

    @property
    def beat_every(self) -> float:
        """How often each side shows a sign of life: well within abandon_after."""
        return max(0.05, min(_POLL_SECONDS, self.abandon_after / 4))


# Producer tasks outlive the request that started them; the event loop keeps
# only weak references to tasks, so they are held here until they end.
_producers: set[asyncio.Task[None]] = set()


class _Producer:
    """Writes every event to the store, whether or not anybody is connected.

    Runs in a task of its own, not the request's. A watcher beside it shows
    the producer's sign of life and stops it when no reader showed one for
    ``abandon_after`` seconds, or when the store is lost. It stops the source
    with a plain asyncio cancellation, delivered once: the source's own
    cleanup (an HTTP client closing the provider's connection) then runs
    normally instead of being cancelled again at its every await.
    """

    def __init__(
        self,
        options: _Options,
        stream_id: str,
        make_events: Callable[[], AsyncIterator[bytes]],
    ) -> None:
        self._options = options
        self._store = options.store
        self._stream_id = stream_id
        self._make_events = make_events
        self._events: AsyncIterator[bytes] | None = None
        self._seq = 0
        self._stopped_by: Literal["abandoned", "store"] | None = None

    async def run(self) -> None:
        task = asyncio.current_task()
        if task is None:  # pragma: no cover - always a task when scheduled
            return
        watcher = asyncio.ensure_future(self._watch(task))
        try:
            await self._copy()
        except asyncio.CancelledError:
            if self._stopped_by is None:
                raise  # Not ours: the server is shutting down.
            _uncancel(task)
        finally:
            watcher.cancel()
            await self._close()

    async def _copy(self) -> None:
        """Read the source into a bounded queue that a writer empties in batches.

        While the store is busy with one batch the next one gathers, so a
        fast source costs one store round trip per batch, not per event; a
        source faster than the store waits for it (memory stays bounded).
        """
        queue: asyncio.Queue[bytes | None] = asyncio.Queue(_BATCH_EVENTS)
        writer = asyncio.ensure_future(self._write(queue))
        try:
            # Made here, not in the request: a failure to start the source (a
            # missing API key) becomes the stream's error event.
            self._events = self._make_events()
            async for event in self._events:
                await queue.put(event)
                if writer.done():
                    break  # The store was lost.
        except Exception as exc:
            # The encoders turn a failing source into their error event; this is
            # for an encoder that raises itself.
            _logger.exception("Stream %s failed", self._stream_id)
            message = "The stream failed."
            await queue.put(self._options.error_event(type(exc).__name__, message))
        finally:
            if not writer.done():
                await queue.put(None)
            try:
                await writer
            except StoreUnavailable:
                _logger.exception(
                    "Stream store lost; stream %s stopped", self._stream_id
                )
                self._stopped_by = "store"

    async def _write(self, queue: asyncio.Queue[bytes | None]) -> None:
        while True:
            first = await queue.get()
            batch: list[bytes] = []
            event = first
            while event is not None:
                batch.append(event)
                if len(batch) == _BATCH_EVENTS or queue.empty():
                    break
                event = queue.get_nowait()
            if batch:
                await self._store.append(self._stream_id, self._seq + 1, batch)
                self._seq += len(batch)
            if event is None:
                return

    async def _watch(self, producer: asyncio.Task[None]) -> None:
        store = self._store
        try:
            while True:
                await store.beat(self._stream_id, "producer", _PRODUCER_TTL)
                await asyncio.sleep(self._options.beat_every)
                if not await store.alive(self._stream_id, "reader"):
                    self._stopped_by = "abandoned"
                    break
        except StoreUnavailable:
            self._stopped_by = "store"
        producer.cancel()

    async def _append_error(self, kind: str, message: str) -> None:
        try:
            event = self._options.error_event(kind, message)
            await self._store.append(self._stream_id, self._seq + 1, [event])
            self._seq += 1
        except StoreUnavailable:
            self._stopped_by = "store"

    async def _close(self) -> None:
        with anyio.CancelScope(shield=True), anyio.move_on_after(_CLEANUP_SECONDS):
            # Closing the source closes the provider stream: billing stops.
            if isinstance(self._events, _SupportsAclose):
                await self._events.aclose()
        if self._stopped_by == "store":
            return
        with anyio.CancelScope(shield=True), anyio.move_on_after(_CLEANUP_SECONDS):
            if self._stopped_by == "abandoned":
                _logger.warning(
                    "Stream %s abandoned: nobody read it for %s s",
                    self._stream_id,
                    self._options.abandon_after,
                )
                message = "Nobody read the stream, so it was stopped."
                await self._append_error("StreamAbandoned", message)
            try:
                await self._store.finish(
                    self._stream_id, self._seq, self._options.keep_for
                )
            except StoreUnavailable:
                _logger.warning("Stream %s could not be finished", self._stream_id)


def _uncancel(task: asyncio.Task[None]) -> None:
    """Forget a cancellation that was handled (Python 3.11+ counts them)."""
    uncancel = getattr(task, "uncancel", None)
    if callable(uncancel):
        uncancel()


# --- The response --------------------------------------------------------------


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


class ResumableStreamResponse(Response):
    """Starts a resumable stream, or resumes one from ``Last-Event-ID``.

    Made by :func:`resumable_response`; what it answers is decided when it is
    sent: a stream (200), nothing more to send (204), or a JSON error (404
    unknown stream, 410 expired, 503 store unavailable).
    """

    def __init__(
        self,
        make_events: Callable[[], AsyncIterator[bytes]],
        options: _Options,
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
                await store.beat(stream_id, "producer", _PRODUCER_TTL)
                producer = _Producer(self._options, stream_id, self._make_events)
                task = asyncio.get_running_loop().create_task(producer.run())
                _producers.add(task)
                task.add_done_callback(_producers.discard)
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
                    batch = await store.read(stream_id, after, _POLL_SECONDS)
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


def _json_error(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status)


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
    options = _Options(store or default_store(), abandon_after, keep_for, error_event)
    return ResumableStreamResponse(
        make_events, options, headers=headers, ping_interval=ping_interval
    )
