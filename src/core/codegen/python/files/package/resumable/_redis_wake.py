"""One listener per worker that wakes the readers waiting for new events.

A reader that has caught up waits here, not on Redis: a blocking XREAD per
reader would hold one Redis connection per open stream, and a worker with a
thousand readers would run out of connections (or Redis of clients). Instead
the producer publishes a wake-up on the stream's channel with every batch it
stores, and one pub/sub connection per worker (per event loop) listens to the
channels of the streams its readers wait on, waking them through anyio
events. The readers then read the new events with short, non-blocking
commands on the store's bounded pool.

A stop is published on the channel of the worker that produces the stream
(:attr:`Wakeups.worker_channel`, the value of the producer's lease), which
this listener is subscribed to from its start: the producer hears it at
once, and no channel is subscribed per stream for it.

A wake-up is only a hint: a reader that misses one (the listener
reconnecting) finds the events at its next poll, ``POLL_SECONDS`` later, and
a producer finds a missed stop at its next look at the stop key.
PUBLISH reaches every node of a Redis Cluster, so one listener on any node
hears every stream.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol

import anyio

from ._limits import POLL_SECONDS, STOP_RECHECK
from ._runner import start_background

_logger = logging.getLogger(__name__)

SUBSCRIBING_POLL = 0.1
"""How often a reader polls the stream while its channel's SUBSCRIBE is on
its way (a worker's first streams, or a stream new to it). Not much more
often: under load a subscription can take a while, and every reader polling
crowds out the other commands."""

LINGER_SECONDS = 5.0
"""How long a channel stays subscribed after its last reader stopped waiting
(a reader between two waits should not cost an UNSUBSCRIBE and a SUBSCRIBE)."""


class PubSub(Protocol):
    """The part of a ``redis.asyncio`` PubSub this module uses."""

    async def subscribe(self, *channels: bytes) -> object: ...

    async def unsubscribe(self, *channels: bytes) -> object: ...

    async def get_message(
        self,
        ignore_subscribe_messages: bool = ...,
        timeout: float = ...,  # noqa: ASYNC109 - redis-py's signature
    ) -> dict[str, Any] | None: ...

    async def reset(self) -> None: ...


class Channel:
    """One stream's channel: who waits on it, and its wake-up event."""

    def __init__(self) -> None:
        self.waiting = 0
        self.idle_since = time.monotonic()
        # Replaced by a fresh one when set: an anyio Event cannot be cleared.
        self.changed = anyio.Event()
        self.subscribed = anyio.Event()
        # The last message heard: a batch of events (see _redis_entries).
        self.latest = b""

    async def subscribed_or(self, seconds: float) -> None:
        """Wait until subscribed, for at most ``seconds`` (then poll)."""
        with anyio.move_on_after(seconds):
            await self.subscribed.wait()


class Stop:
    """A stream's stop as this worker hears it."""

    def __init__(self) -> None:
        self.asked = False
        self.waiting = 0
        self.idle_since = self.looked = time.monotonic()
        # Set by a stop, or when the listener was lost: then a stop may have
        # been missed (unsure), and the stream's stop key is looked at.
        self.heard = anyio.Event()
        self.unsure = False

    def wake(self) -> None:
        self.heard.set()
        self.heard = anyio.Event()

    def look(self) -> bool:
        """Whether to look at the stream's stop key now: a stop may have been
        missed, or ``STOP_RECHECK`` s passed since the last look."""
        now = time.monotonic()
        if not self.unsure and now - self.looked < STOP_RECHECK:
            return False
        self.unsure, self.looked = False, now
        return True


class Wakeups:
    """The listener of one event loop and the channels its readers wait on."""

    def __init__(self, connect: Callable[[], PubSub]) -> None:
        self._connect = connect
        self._channels: dict[bytes, Channel] = {}
        self._stops: dict[bytes, Stop] = {}
        self._pubsub: PubSub | None = None
        self._swept = time.monotonic()
        self.worker_channel = b"catalyst:worker:" + secrets.token_hex(8).encode()
        # Set once this worker's channel is subscribed: stops are heard.
        self.listening = anyio.Event()

    async def start(self) -> None:
        """Listen, in a task of its own, for as long as the event loop runs."""
        await start_background(self.listen)

    @asynccontextmanager
    async def watching(self, channel: bytes) -> AsyncGenerator[Channel]:
        """``channel``'s wake-ups, for as long as the block runs.

        Take ``changed`` before reading the stream: it is set by the next
        wake-up. A wake-up is heard only once ``subscribed`` is set; until
        then, poll.
        """
        entry = self._channels.get(channel)
        if entry is None:
            entry = self._channels[channel] = Channel()
            if self._pubsub is not None:
                await self._subscribe(channel)
        entry.waiting += 1
        try:
            yield entry
        finally:
            entry.waiting -= 1
            entry.idle_since = time.monotonic()

    async def listening_or(self, seconds: float) -> None:
        """Wait until stops are heard, for at most ``seconds``."""
        if not self.listening.is_set():
            with anyio.move_on_after(seconds):
                await self.listening.wait()

    @asynccontextmanager
    async def stop_of(self, stream: bytes) -> AsyncGenerator[Stop]:
        """The stop of ``stream`` (its channel), for as long as the block runs."""
        stop = self._stops.setdefault(stream, Stop())
        stop.waiting += 1
        try:
            yield stop
        finally:
            stop.waiting -= 1
            stop.idle_since = time.monotonic()

    async def _subscribe(self, channel: bytes) -> None:
        pubsub = self._pubsub
        try:
            if pubsub is not None:
                await pubsub.subscribe(channel)
        except Exception:
            # The listener reconnects and subscribes again.
            _logger.debug("Could not subscribe to %r", channel, exc_info=True)

    async def listen(self) -> None:
        """Wake readers until the loop ends; reconnects when Redis is lost."""
        while True:
            pubsub = self._connect()
            try:
                # The worker's channel keeps the connection subscribed (and
                # listened to) while no stream is waited on. Readers subscribe
                # by themselves only once this is done: before, each would
                # open a connection of its own.
                await pubsub.subscribe(self.worker_channel, *self._channels)
                self._pubsub = pubsub
                channels = self._channels.items()
                late = [c for c, e in channels if not e.subscribed.is_set()]
                if late:
                    # Added while the first SUBSCRIBE was on its way.
                    await pubsub.subscribe(*late)
                while True:
                    message = await pubsub.get_message(timeout=POLL_SECONDS)
                    if message is not None:
                        self._handle(message)
                    await self._forget_idle(pubsub)
            except Exception:
                _logger.warning("Redis wake-up listener lost; reconnecting")
                self._pubsub = None
                self._wake_all()
                await anyio.sleep(min(POLL_SECONDS, 0.5))
            finally:
                with anyio.CancelScope(shield=True), anyio.move_on_after(1.0):
                    await pubsub.reset()

    def _handle(self, message: dict[str, Any]) -> None:
        channel = bytes(message.get("channel") or b"")
        data = message.get("data")
        if channel == self.worker_channel:
            if message.get("type") == "subscribe":
                self.listening.set()
            elif isinstance(data, bytes):  # A stop: the stream's channel.
                # Kept even if its producer does not wait yet: it will.
                stop = self._stops.setdefault(data, Stop())
                stop.asked = True
                stop.wake()
            return
        entry = self._channels.get(channel)
        if entry is None:
            return
        if message.get("type") == "subscribe":
            entry.subscribed.set()
        elif message.get("type") == "message":
            if isinstance(data, bytes):
                entry.latest = data  # The batch just stored, or b"".
            entry.changed.set()
            entry.changed = anyio.Event()

    async def _forget_idle(self, pubsub: PubSub) -> None:
        now = time.monotonic()
        if now - self._swept < 1.0:
            return
        self._swept = now
        idle = [
            channel
            for channel, entry in self._channels.items()
            if entry.waiting == 0 and now - entry.idle_since > LINGER_SECONDS
        ]
        for channel in idle:
            del self._channels[channel]
        for stream in [s for s, e in self._stops.items() if e.waiting == 0]:
            if now - self._stops[stream].idle_since > LINGER_SECONDS:
                del self._stops[stream]
        if idle:
            await pubsub.unsubscribe(*idle)

    def _wake_all(self) -> None:
        """Readers re-read the store rather than wait for a lost listener,
        and producers look for a stop they may have missed."""
        self.listening = anyio.Event()
        for stop in self._stops.values():
            stop.unsure = True
            stop.wake()
        for entry in self._channels.values():
            entry.latest = b""
            entry.changed.set()
            entry.changed = anyio.Event()
            entry.subscribed = anyio.Event()
