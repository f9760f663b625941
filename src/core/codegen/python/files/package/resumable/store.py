"""Where resumable streams live: the store interface and the in-process store.

A store keeps each stream's encoded events, numbered from 1 without gaps,
whether the stream ended, and each side's sign of life (the reader's and the
producer's), so that a reconnect on any worker can find the events it missed
and tell a live stream from a dead one. :class:`MemoryStreamStore` keeps them
in this process; ``redis_store.RedisStreamStore`` in Redis, for several
workers.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Literal, Protocol

import anyio

__all__ = [
    "Batch",
    "MemoryStreamStore",
    "StoreUnavailable",
    "StreamStore",
]

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


@dataclass
class _MemoryStream:
    events: list[bytes] = field(default_factory=lambda: [])
    finished: bool = False
    expires_at: float = 0.0
    beats: dict[str, float] = field(default_factory=lambda: {})
    # Set, and replaced by a fresh one, whenever the stream changes: an anyio
    # Event cannot be cleared, and waiting readers hold the one they saw.
    changed: anyio.Event = field(default_factory=anyio.Event)


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
        stream.changed = anyio.Event()

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
