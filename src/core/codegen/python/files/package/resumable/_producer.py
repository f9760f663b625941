"""The producer of a resumable stream: the token source, copied into the store.

It runs in a task of its own (see ``_runner``), not the request's, so that
the answer goes on when the connection drops. A watcher beside it renews the
producer's lease and stops it when no reader showed a sign of life for
``abandon_after`` seconds, or when the store is lost. A store that has no
room left (the in-process store's bounds) stops it with a ``StreamTooLarge``
error; a stream that a reader ended (it took the producer for dead) stops it
without a word.

Readers on the producer's own event loop are served what it stored from
memory (``_local``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Literal

import anyio
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from ..finish import set_stop_signal
from ..parts import close_now
from ._limits import (
    BATCH_EVENTS,
    CLEANUP_SECONDS,
    POLL_SECONDS,
    PRODUCER_RENEW,
    PRODUCER_TTL,
    STOP_GRACE,
)
from ._local import LocalStream
from .store import StoreUnavailable, StreamClosed, StreamFull, StreamStore

_logger = logging.getLogger(__name__)

ErrorEvent = Callable[[str, str], bytes]
"""Makes the protocol's error event from an error type and a message."""


@dataclass
class Options:
    """What a resumable route chose: its store, lifetimes and error event."""

    store: StreamStore
    abandon_after: float
    keep_for: float
    error_event: ErrorEvent

    @property
    def beat_every(self) -> float:
        """How often each side shows a sign of life: well within abandon_after."""
        return max(0.05, min(POLL_SECONDS, self.abandon_after / 4))


class Producer:
    """Writes every event to the store, whether or not anybody is connected.

    When it is to stop (abandoned, or the store lost), the source is stopped
    at its next event and closed there, at rest: its own cleanup (an HTTP
    client closing the provider's connection) runs with nothing cancelled.
    anyio's cancellation would instead hit that cleanup again at its every
    await, and a client that does not shield it (httpx before 0.24) then
    leaves the connection open, and billing. Only a source that makes no
    event for ``CLEANUP_SECONDS`` after that is cancelled. Events already
    made are still written, then the stream is ended.
    """

    def __init__(
        self,
        options: Options,
        stream_id: str,
        make_events: Callable[[], AsyncIterator[bytes]],
    ) -> None:
        self._options = options
        self._store = options.store
        self._stream_id = stream_id
        self._make_events = make_events
        self._events: AsyncIterator[bytes] | None = None
        self._stopped_by: (
            Literal["abandoned", "store", "full", "closed", "stopped"] | None
        ) = None
        # Set when a stop is asked for (the stop endpoint, on any worker).
        self.stop_asked = anyio.Event()
        self._stopping = False
        self._source_ended = False
        # Where the source is read: cancelled if it does not stop in time.
        self._reading = anyio.CancelScope()
        # The watcher's, and the timer of a stop that takes too long.
        self._tasks: TaskGroup | None = None
        # What it stored, for this loop's readers.
        self._local = LocalStream(stream_id)

    async def run(self) -> None:
        try:
            async with anyio.create_task_group() as tasks:
                self._tasks = tasks
                tasks.start_soon(self._watch)
                await self._copy()
                tasks.cancel_scope.cancel()
        finally:
            try:
                await self._close()
            finally:
                self._local.end()

    def _stop(self) -> None:
        """Stop the source at its next event, or cancel it after a bound."""
        if not self._stopping and self._tasks is not None:
            self._stopping = True
            self._tasks.start_soon(self._cancel_reading_after, CLEANUP_SECONDS)

    async def _cancel_reading_after(self, seconds: float) -> None:
        await anyio.sleep(seconds)
        self._reading.cancel()

    async def _copy(self) -> None:
        """Read the source into a bounded stream that a writer empties in batches.

        While the store is busy with one batch the next one gathers, so a
        fast source costs one store round trip per batch, not per event; a
        source faster than the store waits for it (memory stays bounded).
        """
        streams: tuple[MemoryObjectSendStream[bytes], MemoryObjectReceiveStream[bytes]]
        streams = anyio.create_memory_object_stream(BATCH_EVENTS)
        send, receive = streams
        with receive:
            async with anyio.create_task_group() as writing:
                writing.start_soon(self._write, receive)
                with send, self._reading:
                    try:
                        # Made here, not in the request: a failure to start the
                        # source (a missing API key) becomes its error event.
                        # The events are made in this task: their source sees
                        # this stream's stop (finish.answer_stopped).
                        set_stop_signal(self.stop_asked)
                        self._events = self._make_events()
                        async for event in self._events:
                            if self._stopping:
                                break  # Closed at rest by _close.
                            try:
                                # No checkpoint per event (send's): a fast
                                # source fills the buffer, the writer then
                                # takes it as one batch.
                                send.send_nowait(event)
                            except anyio.WouldBlock:
                                await send.send(event)
                        # Its last events may still be on their way to the
                        # store: a stop's grace is over for the source only.
                        self._source_ended = True
                    except Exception as exc:
                        # The encoders turn a failing source into their error
                        # event; this is for an encoder that raises itself.
                        _logger.exception("Stream %s failed", self._stream_id)
                        kind, message = type(exc).__name__, "The stream failed."
                        await send.send(self._options.error_event(kind, message))

    async def _write(self, receive: MemoryObjectReceiveStream[bytes]) -> None:
        """Append what the source made, batch by batch, until it ends."""
        try:
            ended = False
            while not ended:
                try:
                    batch = [await receive.receive()]
                except anyio.EndOfStream:
                    return
                while len(batch) < BATCH_EVENTS:
                    try:
                        batch.append(receive.receive_nowait())
                    except anyio.WouldBlock:
                        break
                    except anyio.EndOfStream:
                        ended = True
                        break
                # The source's natural end goes with its last batch: one
                # round trip, not two.
                last_batch = ended and self._source_ended
                finish = self._options.keep_for if last_batch else None
                await self._store.append(
                    self._stream_id, self._local.last + 1, batch, finish=finish
                )
                self._local.stored(batch, finished=finish is not None)
        except StoreUnavailable:
            _logger.exception("Stream store lost; stream %s stopped", self._stream_id)
            self._stopped_by = "store"
            self._stop()
        except StreamFull:
            _logger.warning("Stream %s reached the store's bounds", self._stream_id)
            self._stopped_by = "full"
            self._stop()
        except StreamClosed:
            _logger.warning("Stream %s was ended by a reader", self._stream_id)
            self._stopped_by = "closed"
            self._stop()
        else:
            return
        # Stopped: what the source still makes is dropped, so that a send
        # waiting for room returns and the source stops at its next event.
        async for _event in receive:
            pass

    async def _watch(self) -> None:
        """Renew the lease every PRODUCER_RENEW s, look for a reader every
        beat, and wait for a stop meanwhile (one task, not one per job)."""
        store = self._store
        every = self._options.beat_every
        looked = anyio.current_time()
        try:
            while True:
                # create() took the first lease.
                step = min(every, PRODUCER_RENEW)
                if self.stop_asked.is_set():
                    await anyio.sleep(step)
                elif await store.wait_stop(self._stream_id, step):
                    self._asked_to_stop()
                await store.beat(self._stream_id, "producer", PRODUCER_TTL)
                if anyio.current_time() - looked < every:
                    continue
                looked = anyio.current_time()
                if not await self._reader_alive():
                    self._stopped_by = "abandoned"
                    break
        except StoreUnavailable:
            self._stopped_by = "store"
        self._stop()

    async def _reader_alive(self) -> bool:
        """A reader here now or within abandon_after, or one elsewhere whose
        sign of life in the store has not run out."""
        local = self._local
        if local.readers or time.monotonic() - local.reader_seen < (
            self._options.abandon_after
        ):
            return True
        return await self._store.alive(self._stream_id, "reader")

    def _asked_to_stop(self) -> None:
        """Tell the source, and stop it if it does not end in time.

        A source wrapped in ``stopping.until_stopped`` ends at its next token,
        and the encoder ends the stream as the protocol does (``done``,
        ``finish``, ``finish_reason``); any other is stopped after
        ``STOP_GRACE`` seconds and the stream ends with a ``StreamStopped``
        error event.
        """
        _logger.info("Stream %s: stop asked for", self._stream_id)
        self.stop_asked.set()
        if self._tasks is not None:
            self._tasks.start_soon(self._stop_after_grace)

    async def _stop_after_grace(self) -> None:
        await anyio.sleep(STOP_GRACE)
        if not self._source_ended:
            self._stopped_by = "stopped"
            self._stop()

    def _last_event(self) -> bytes | None:
        """The error event that ends a stream that was stopped, if any."""
        if self._stopped_by == "abandoned":
            _logger.warning(
                "Stream %s abandoned: nobody read it for %s s",
                self._stream_id,
                self._options.abandon_after,
            )
            message = "Nobody read the stream, so it was stopped."
            return self._options.error_event("StreamAbandoned", message)
        if self._stopped_by == "stopped":
            message = "The stream was stopped."
            return self._options.error_event("StreamStopped", message)
        if self._stopped_by == "full":
            message = "The stream reached its size limit, so it was stopped."
            return self._options.error_event("StreamTooLarge", message)
        return None

    async def _close(self) -> None:
        with anyio.CancelScope(shield=True), anyio.move_on_after(CLEANUP_SECONDS):
            # Closing the source closes the provider stream: billing stops.
            if self._events is not None:
                await close_now(self._events)
        if self._local.finished or self._stopped_by in ("store", "closed"):
            return
        with anyio.CancelScope(shield=True), anyio.move_on_after(CLEANUP_SECONDS):
            last = self._last_event()
            try:
                await self._store.finish(
                    self._stream_id, self._local.last, self._options.keep_for, last
                )
                self._local.stored([] if last is None else [last], finished=True)
            except (StoreUnavailable, StreamClosed):
                _logger.warning("Stream %s could not be finished", self._stream_id)
