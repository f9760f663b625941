"""What a stream's producer has stored, for the readers on its own event loop.

A reader on the worker that produces the stream (the request that started
it, or a resume that lands there) is handed each batch from memory once the
store has it: no round trip and no wake-up through the store per batch, and
only stored events, so a resume from any id a reader saw finds it in the
store. The producer also sees these readers here, so they need not show a
sign of life in the store.
"""

from __future__ import annotations

import time

import anyio
from anyio.lowlevel import RunVar

from .store import Batch

# The streams produced on this event loop, by stream key.
_produced: RunVar[dict[str, LocalStream]] = RunVar("catalyst_local_streams")


def _local_streams() -> dict[str, LocalStream]:
    streams = _produced.get(None)
    if streams is None:
        streams = dict[str, LocalStream]()
        _produced.set(streams)
    return streams


def local_stream(stream_id: str) -> LocalStream | None:
    """The stream ``stream_id`` if its producer runs on this event loop."""
    return _local_streams().get(stream_id)


class LocalStream:
    """The last batch a producer stored, and its readers on this loop."""

    def __init__(self, stream_id: str) -> None:
        self._stream_id = stream_id
        self._batch: list[bytes] = []
        self.last = 0  # The number of the last event stored.
        self.finished = False  # Its end is stored.
        self._ended = False  # The producer is done, finished or not.
        self._changed = anyio.Event()
        # Readers here now, and when one was last here (the request that
        # started the stream is the first).
        self.readers = 0
        self.reader_seen = time.monotonic()
        _local_streams()[stream_id] = self

    def stored(self, events: list[bytes], *, finished: bool = False) -> None:
        """Serve ``events``, just stored (and the end, if ``finished``)."""
        if events:
            self._batch = events
            self.last += len(events)
        self.finished = finished
        self._changed.set()
        self._changed = anyio.Event()

    def end(self) -> None:
        """The producer is done: readers not served from memory read the store."""
        self._ended = True
        self._changed.set()
        _local_streams().pop(self._stream_id, None)

    def attach(self) -> None:
        self.readers += 1

    def detach(self) -> None:
        self.readers -= 1
        self.reader_seen = time.monotonic()

    async def read(self, after: int) -> Batch | None:
        """The stored events after ``after``, waiting for one; None when
        memory cannot tell (the reader is more than a batch behind, or the
        producer ended without storing the end): then read the store."""
        if after == self.last and not self.finished and not self._ended:
            await self._changed.wait()
        first = self.last - len(self._batch) + 1
        if first <= after + 1 <= self.last:
            events = self._batch[after + 1 - first :]
            return Batch(list(enumerate(events, after + 1)), self.finished)
        if after == self.last and self.finished:
            return Batch([], True)
        return None
