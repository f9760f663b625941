"""Where resumable streams live: the store interface and the in-process store.

A store keeps each stream's encoded events, numbered from 1 without gaps,
whether the stream ended, and each side's sign of life (the reader's and the
producer's lease), so that a reconnect on any worker can find the events it
missed and tell a live stream from a dead one. :class:`MemoryStreamStore`
keeps them in this process; ``redis_store.RedisStreamStore`` in Redis, for
several workers. Both keep at most ``MAX_EVENTS`` events per stream (older
ones are dropped, which a replay reports as ``HistoryLost``).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Literal, Protocol

import anyio

from ._limits import MAX_EVENTS, MAX_STREAM_BYTES, MAX_TOTAL_BYTES, PRODUCER_TTL

__all__ = [
    "Batch",
    "MemoryStreamStore",
    "StoreUnavailable",
    "StreamClosed",
    "StreamFull",
    "StreamInfo",
    "StreamStore",
]

StreamState = Literal["live", "expired", "unknown"]


class StoreUnavailable(Exception):
    """The stream store cannot be reached (Redis down, or the network)."""


class StreamFull(Exception):
    """A bound of the store was reached: the stream cannot take these events."""


class StreamClosed(Exception):
    """The stream was ended by someone else: a reader stored its loss."""


@dataclass(frozen=True)
class Batch:
    """Events read from a stream: ``(seq, event)`` pairs, and whether it ended."""

    events: list[tuple[int, bytes]]
    finished: bool


@dataclass(frozen=True)
class StreamInfo:
    """What a resume needs to know first: the state, the last event, the end."""

    state: StreamState
    last: int = 0
    finished: bool = False


class StreamStore(Protocol):
    """Where resumable streams live: the one interface both stores implement.

    Sequence numbers start at 1 and have no gaps. ``role`` is ``"reader"`` or
    ``"producer"``: each side's sign of life, which lasts ``ttl`` seconds.
    Every method raises :class:`StoreUnavailable` when the store cannot be
    reached, and returns within a bounded time.
    """

    async def create(self, stream_id: str, keep_for: float) -> None:
        """Register a new, empty stream, and its producer's lease."""
        ...

    async def append(
        self,
        stream_id: str,
        seq: int,
        events: list[bytes],
        *,
        finish: float | None = None,
    ) -> None:
        """Store ``events`` (encoded SSE events) as numbers ``seq``, ``seq + 1``...

        Renews the producer's lease (``PRODUCER_TTL``). Given ``finish``, the
        stream ends after them, kept ``finish`` s (:meth:`finish` in one go).
        Raises :class:`StreamFull` when a bound of the store leaves no room,
        :class:`StreamClosed` when the stream was ended.
        """
        ...

    async def finish(
        self, stream_id: str, after: int, keep_for: float, last: bytes | None = None
    ) -> None:
        """End the stream after event ``after`` (and ``last``, if given: an
        error event, stored whatever the bounds); keep it ``keep_for`` s."""
        ...

    async def end_lost(
        self, stream_id: str, last: bytes, keep_for: float, after: int | None = None
    ) -> bool:
        """End the stream with ``last`` if it has no producer's lease, has
        not ended and (given ``after``, the last event its reader saw) has no
        event after ``after``: its producer died. Whether it did so."""
        ...

    async def info(self, stream_id: str) -> StreamInfo:
        """The state, the number of the last event stored, whether it ended."""
        ...

    async def read(self, stream_id: str, after: int, wait: float) -> Batch:
        """The events after ``after``, waiting up to ``wait`` s for one.

        Events already dropped are skipped: the first one returned is then
        not ``after + 1``.
        """
        ...

    async def beat(self, stream_id: str, role: str, ttl: float) -> None:
        """Record a sign of life of ``role`` that lasts ``ttl`` seconds."""
        ...

    async def alive(self, stream_id: str, role: str) -> bool:
        """Whether ``role`` showed a sign of life that has not run out."""
        ...

    async def wait_stop(self, stream_id: str, wait: float) -> bool:
        """Whether a stop was asked for (``beat(stream_id, "stop", ttl)``),
        waiting up to ``wait`` s for one."""
        ...

    async def set_active(self, chat_key: str, stream_id: str, keep_for: float) -> None:
        """Make ``stream_id`` the answer a chat resumes, for ``keep_for`` s."""
        ...

    async def active(self, chat_key: str) -> str | None:
        """The stream a chat resumes, if it has one."""
        ...


@dataclass
class _MemoryStream:
    events: list[bytes] = field(default_factory=lambda: [])
    dropped: int = 0
    size: int = 0
    finished: bool = False
    keep_for: float = 0.0
    expires_at: float = 0.0
    beats: dict[str, float] = field(default_factory=lambda: {})
    # Set, and replaced by a fresh one, whenever the stream changes: an anyio
    # Event cannot be cleared, and waiting readers hold the one they saw.
    changed: anyio.Event = field(default_factory=anyio.Event)

    def changes(self) -> None:
        self.changed.set()
        self.changed = anyio.Event()


class MemoryStreamStore:
    """Streams in this process's memory: one worker, nothing to set up.

    A reconnect that lands on another worker process does not find the
    stream here (404): run several workers with Redis (``REDIS_URL``).

    Bounded: ``max_events`` per stream (the oldest are dropped, like Redis's
    ``MAXLEN``), ``max_stream_bytes`` per stream and ``max_total_bytes`` for
    the whole process (defaults ``MAX_EVENTS``, ``MAX_STREAM_BYTES``,
    ``MAX_TOTAL_BYTES``). A stream that would pass a bound of bytes is
    stopped with a ``StreamTooLarge`` error, after the oldest finished
    streams were dropped to make room (a resume of those then gets 410).
    """

    def __init__(
        self,
        *,
        max_events: int = MAX_EVENTS,
        max_stream_bytes: int = MAX_STREAM_BYTES,
        max_total_bytes: int = MAX_TOTAL_BYTES,
        max_tombstones: int = 10_000,
    ) -> None:
        self._streams: dict[str, _MemoryStream] = {}
        self._tombstones: OrderedDict[str, None] = OrderedDict()
        self._max_events = max_events
        self._max_stream_bytes = max_stream_bytes
        self._max_total_bytes = max_total_bytes
        self._max_tombstones = max_tombstones
        self._total_bytes = 0
        self._active: dict[str, tuple[str, float]] = {}

    def _get(self, stream_id: str) -> _MemoryStream | None:
        stream = self._streams.get(stream_id)
        if stream is not None and time.monotonic() >= stream.expires_at:
            self._expire(stream_id)
            return None
        return stream

    def _expire(self, stream_id: str) -> None:
        stream = self._streams.pop(stream_id, None)
        if stream is not None:
            self._total_bytes -= stream.size
            stream.changes()
        self._tombstones[stream_id] = None
        while len(self._tombstones) > self._max_tombstones:
            self._tombstones.popitem(last=False)

    def _sweep(self) -> None:
        now = time.monotonic()
        for stream_id in [k for k, s in self._streams.items() if now >= s.expires_at]:
            self._expire(stream_id)

    def _make_room(self, size: int) -> bool:
        """Drop the oldest finished streams until ``size`` more bytes fit."""
        if self._total_bytes + size <= self._max_total_bytes:
            return True
        self._sweep()
        for stream_id in [k for k, s in self._streams.items() if s.finished]:
            if self._total_bytes + size <= self._max_total_bytes:
                break
            self._expire(stream_id)
        return self._total_bytes + size <= self._max_total_bytes

    def _add(self, stream: _MemoryStream, events: list[bytes], size: int) -> None:
        stream.events.extend(events)
        stream.size += size
        self._total_bytes += size
        excess = len(stream.events) - self._max_events
        if excess > 0:
            freed = sum(len(event) for event in stream.events[:excess])
            del stream.events[:excess]
            stream.dropped += excess
            stream.size -= freed
            self._total_bytes -= freed
        stream.changes()

    async def create(self, stream_id: str, keep_for: float) -> None:
        self._sweep()
        now = time.monotonic()
        self._streams[stream_id] = _MemoryStream(
            keep_for=keep_for,
            expires_at=now + keep_for,
            beats={"producer": now + PRODUCER_TTL},
        )

    async def append(
        self,
        stream_id: str,
        seq: int,
        events: list[bytes],
        *,
        finish: float | None = None,
    ) -> None:
        stream = self._streams.get(stream_id)
        if stream is None or stream.finished:
            raise StreamClosed(stream_id)
        size = sum(len(event) for event in events)
        if stream.size + size > self._max_stream_bytes or not self._make_room(size):
            raise StreamFull(stream_id)
        self._add(stream, events, size)
        # As on Redis: a stream being written expires keep_for after its last event.
        now = time.monotonic()
        stream.expires_at = now + stream.keep_for
        stream.beats["producer"] = now + PRODUCER_TTL
        if finish is not None:
            await self.finish(stream_id, seq + len(events) - 1, finish)

    async def finish(
        self, stream_id: str, after: int, keep_for: float, last: bytes | None = None
    ) -> None:
        stream = self._streams.get(stream_id)
        if stream is not None and not stream.finished:
            if last is not None:
                self._add(stream, [last], len(last))
            stream.finished = True
            stream.expires_at = time.monotonic() + keep_for
            stream.changes()

    async def end_lost(
        self, stream_id: str, last: bytes, keep_for: float, after: int | None = None
    ) -> bool:
        stream = self._get(stream_id)
        if stream is None or stream.finished or await self.alive(stream_id, "producer"):
            return False
        if after is not None and stream.dropped + len(stream.events) > after:
            return False  # Events came after the reader's last: alive.
        await self.finish(
            stream_id, stream.dropped + len(stream.events), keep_for, last
        )
        return True

    async def info(self, stream_id: str) -> StreamInfo:
        stream = self._get(stream_id)
        if stream is None:
            gone = stream_id in self._tombstones
            return StreamInfo("expired" if gone else "unknown")
        return StreamInfo("live", stream.dropped + len(stream.events), stream.finished)

    async def read(self, stream_id: str, after: int, wait: float) -> Batch:
        stream = self._get(stream_id)
        if stream is None:
            return Batch([], True)
        if stream.dropped + len(stream.events) <= after and not stream.finished:
            if wait > 0:
                with anyio.move_on_after(wait):
                    await stream.changed.wait()
        start = max(after, stream.dropped)
        events = stream.events[start - stream.dropped :]
        return Batch(list(enumerate(events, start + 1)), stream.finished)

    async def beat(self, stream_id: str, role: str, ttl: float) -> None:
        stream = self._streams.get(stream_id)
        if stream is not None:
            stream.beats[role] = time.monotonic() + ttl
            if role == "stop":
                stream.changes()  # Wakes the producer's wait_stop at once.

    async def alive(self, stream_id: str, role: str) -> bool:
        stream = self._streams.get(stream_id)
        return stream is not None and stream.beats.get(role, 0.0) > time.monotonic()

    async def wait_stop(self, stream_id: str, wait: float) -> bool:
        with anyio.move_on_after(wait):
            while not await self.alive(stream_id, "stop"):
                stream = self._streams.get(stream_id)
                if stream is None:  # Gone: nothing to stop.
                    await anyio.sleep_forever()
                else:
                    await stream.changed.wait()
        return await self.alive(stream_id, "stop")

    async def set_active(self, chat_key: str, stream_id: str, keep_for: float) -> None:
        now = time.monotonic()
        for key in [k for k, (_, until) in self._active.items() if until <= now]:
            del self._active[key]
        self._active[chat_key] = (stream_id, now + keep_for)

    async def active(self, chat_key: str) -> str | None:
        stream_id, until = self._active.get(chat_key, ("", 0.0))
        return stream_id if until > time.monotonic() else None
