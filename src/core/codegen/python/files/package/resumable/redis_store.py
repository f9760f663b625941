"""Resumable streams in Redis Streams, shared by every worker on the same Redis.

One Redis stream per answer, key ``<prefix>{<stream-id>}``. A batch of events
written in one go is one entry, whose id is the number of its last event:
``n-1`` for a batch ending with event n (its events are fields ``e``, joined,
and ``l``, their lengths; a batch of one has no ``l``). Reading after event n
is XREAD from ``n-1``, which returns the entries that hold an event after n;
the events of the first one up to n are left out, so a resume mid-batch
neither repeats nor loses one. The entry ``0-1`` marks the stream's creation
and the last entry, with a field ``end``, its end. Beside it: ``<key>:gone``
(a tombstone, to tell expired from unknown) and ``<key>:reader`` /
``<key>:producer`` / ``<key>:stop`` (signs of life with a TTL: the
producer's is its lease, renewed by every batch it stores too).

The braces are a hash tag: on a Redis Cluster all of a stream's keys share
one slot, and no command here spans two streams.

Connections (``_redis_client``): a few per worker, whatever the number of
streams. Commands are short round trips, many streams' in one, the signs of
life in rounds of their own (``_redis_rounds``); readers that wait for new
events, and producers that wait for a stop, hold no connection: one pub/sub
connection per worker wakes them (``_redis_wake``). A reader on the
producer's own worker reads nothing back (``_local``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import anyio
from anyio.lowlevel import RunVar

from ._limits import (
    DEFAULT_KEEP_FOR,
    MAX_EVENTS,
    PRODUCER_RENEW,
    PRODUCER_TTL,
    TOMBSTONE_SECONDS,
)
from ._redis_client import Commands, RedisClient, connect, is_closed
from ._redis_entries import (
    batch_fields,
    entries_after,
    events_after,
    last_published,
    published,
)
from ._redis_wake import SUBSCRIBING_POLL, PubSub, Wakeups
from .store import Batch, StoreUnavailable, StreamClosed, StreamInfo

__all__ = ["RedisStreamStore"]


# Ends a stream whose producer's lease ran out, unless it ended, the lease
# came back or events came after the reader's last: the check and the writes
# are one step, so a producer that is alive after all is never cut off.
# KEYS: the stream, its producer's lease, its tombstone. ARGV: the error
# event, keep_for and the tombstone's ms, the last event the reader saw.
_END_LOST = """
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #last == 0 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local fields = last[1][2]
for i = 1, #fields, 2 do
  if fields[i] == 'end' then return 0 end
end
local seq = tonumber(string.match(last[1][1], '^(%d+)-'))
if seq > tonumber(ARGV[4]) then return 0 end
redis.call('XADD', KEYS[1], string.format('%d-1', seq + 1), 'e', ARGV[1])
redis.call('XADD', KEYS[1], string.format('%d-1', seq + 2), 'end', '1')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('SET', KEYS[3], '1', 'PX', ARGV[3])
return 1
"""


class RedisStreamStore:
    """Streams in Redis Streams, shared by every worker that uses the same Redis.

    ``client`` is a ``redis.asyncio.Redis`` made with ``decode_responses``
    off; :meth:`from_url` makes one with bounded connect and socket timeouts.
    Each stream keeps at least its last ``max_events`` events and the rest of
    their batches (``XADD MINID``, default ``MAX_EVENTS``); a replay from a
    dropped one gets ``HistoryLost``.
    ``pubsub`` makes the connection that wakes waiting readers and producers;
    without one they poll every ``POLL_SECONDS``.
    """

    def __init__(
        self,
        client: RedisClient,
        *,
        prefix: str = "catalyst:stream:",
        max_events: int = MAX_EVENTS,
        pubsub: Callable[[], PubSub] | None = None,
    ) -> None:
        self._commands = Commands(client)
        self._run = self._commands.run
        self._prefix = prefix
        self._max_events = max_events
        self._pubsub = pubsub
        # Per event loop (a test client runs each app in a loop of its own).
        self._wakeups: RunVar[Wakeups] = RunVar(f"catalyst_wakeups_{id(self)}")
        # keep_for of the streams this process produces (append moves expiry).
        self._keep_for: dict[str, float] = {}
        # When their expiry and lease were last moved by a write.
        self._renewed: dict[str, float] = {}

    @classmethod
    def from_url(
        cls, url: str, *, prefix: str = "catalyst:stream:", max_events: int = MAX_EVENTS
    ) -> RedisStreamStore:
        """A store on ``url`` (see ``_redis_client``), failing fast when down."""
        connection = connect(url)
        return cls(
            connection.client,
            prefix=prefix,
            max_events=max_events,
            pubsub=connection.pubsub,
        )

    def _key(self, stream_id: str) -> str:
        # The hash tag puts every key of the stream in one cluster slot.
        return self._prefix + "{" + stream_id + "}"

    def _channel(self, stream_id: str) -> bytes:
        return (self._key(stream_id) + ":wake").encode()

    async def _waker(self) -> Wakeups | None:
        """This loop's wake-up listener, started with the first waiter."""
        if self._pubsub is None:
            return None
        wakeups = self._wakeups.get(None)
        if wakeups is None:
            wakeups = Wakeups(self._pubsub)
            self._wakeups.set(wakeups)
            await wakeups.start()
        return wakeups

    async def create(self, stream_id: str, keep_for: float) -> None:
        key = self._key(stream_id)
        self._keep_for[stream_id] = keep_for
        self._renewed[stream_id] = time.monotonic()
        waker = await self._waker()
        if waker is not None:
            # A worker's first streams: its stops are heard once subscribed.
            await waker.listening_or(SUBSCRIBING_POLL)
        await self._run(
            ("XADD", key, "0-1", "start", "1"),
            ("PEXPIRE", key, _ms(keep_for)),
            ("SET", f"{key}:gone", "1", "PX", _ms(keep_for + TOMBSTONE_SECONDS)),
            self._producer_lease(key),
        )

    def _stop_channel(self) -> bytes:
        """The value of this worker's producer leases: where a stop is sent."""
        waker = self._wakeups.get(None)
        return b"1" if waker is None else waker.worker_channel

    def _producer_lease(self, key: str) -> tuple[object, ...]:
        lease = self._stop_channel()
        return ("SET", f"{key}:producer", lease, "PX", _ms(PRODUCER_TTL))

    async def append(
        self,
        stream_id: str,
        seq: int,
        events: list[bytes],
        *,
        finish: float | None = None,
    ) -> None:
        key = self._key(stream_id)
        last = seq + len(events) - 1
        # Exact, not "~": that trims whole nodes of 100 entries, which few
        # entries of up to BATCH_EVENTS events each never fill.
        bound = ("MINID", max(0, last - self._max_events + 1))
        stored = ("XADD", key, *bound, f"{last}-1", *batch_fields(events))
        if finish is not None:
            # The end's wake-up tells other workers' readers to read.
            await self._write(stream_id, stored, *self._end(stream_id, last, finish))
            return
        wake = ("PUBLISH", self._channel(stream_id), published(last, events))
        commands = [stored, wake]
        # The expiry and the lease move with the writes, at most every
        # PRODUCER_RENEW s (a paced stream writes 50 batches a second): a
        # stream whose producer died is removed about keep_for after its
        # last event, and one that writes is alive even if its watcher is late.
        now = time.monotonic()
        if now - self._renewed.get(stream_id, 0.0) >= PRODUCER_RENEW:
            self._renewed[stream_id] = now
            keep_for = self._keep_for.get(stream_id, DEFAULT_KEEP_FOR)
            commands += [("PEXPIRE", key, _ms(keep_for)), self._producer_lease(key)]
        await self._write(stream_id, *commands)

    async def finish(
        self, stream_id: str, after: int, keep_for: float, last: bytes | None = None
    ) -> None:
        key = self._key(stream_id)
        events = [] if last is None else [("XADD", key, f"{after + 1}-1", "e", last)]
        end = self._end(stream_id, after + len(events), keep_for)
        await self._write(stream_id, *events, *end)

    def _end(
        self, stream_id: str, last: int, keep_for: float
    ) -> tuple[tuple[object, ...], ...]:
        """The commands that end the stream after event ``last``."""
        key = self._key(stream_id)
        self._keep_for.pop(stream_id, None)
        self._renewed.pop(stream_id, None)
        return (
            ("XADD", key, f"{last + 1}-1", "end", "1"),
            ("PEXPIRE", key, _ms(keep_for)),
            ("SET", f"{key}:gone", "1", "PX", _ms(keep_for + TOMBSTONE_SECONDS)),
            ("PUBLISH", self._channel(stream_id), b""),
        )

    async def _write(self, stream_id: str, *commands: tuple[object, ...]) -> None:
        """Send a producer's writes; a stream ended by a reader is StreamClosed."""
        try:
            await self._run(*commands)
        except StoreUnavailable as exc:
            if is_closed(exc):
                raise StreamClosed(stream_id) from exc
            raise

    async def end_lost(
        self, stream_id: str, last: bytes, keep_for: float, after: int | None = None
    ) -> bool:
        key = self._key(stream_id)
        keys = (key, f"{key}:producer", f"{key}:gone")
        ms = (_ms(keep_for), _ms(keep_for + TOMBSTONE_SECONDS))
        seen = 10**19 if after is None else after
        ended, _published = await self._run(
            ("EVAL", _END_LOST, len(keys), *keys, last, *ms, seen),
            ("PUBLISH", self._channel(stream_id), b""),
        )
        return bool(ended)

    async def info(self, stream_id: str) -> StreamInfo:
        key = self._key(stream_id)
        gone, last = await self._run(
            ("EXISTS", f"{key}:gone"), ("XREVRANGE", key, "+", "-", "COUNT", 1)
        )
        if not last:
            return StreamInfo("expired" if gone else "unknown")
        entry_id, fields = last[0]
        seq = int(entry_id.split(b"-")[0])
        finished = b"end" in fields
        return StreamInfo("live", seq - 1 if finished else seq, finished)

    async def read(self, stream_id: str, after: int, wait: float) -> Batch:
        waker = None if wait <= 0 else await self._waker()
        if waker is None:
            batch = await self._read_now(stream_id, after)
            if batch.events or batch.finished or wait <= 0:
                return batch
            await anyio.sleep(wait)  # No listener: poll.
            return await self._read_now(stream_id, after)
        with anyio.move_on_after(wait):
            async with waker.watching(self._channel(stream_id)) as channel:
                while True:
                    changed = channel.changed
                    # Heard since subscribed: the batch in hand, or that the
                    # reader has every event published so far.
                    heard = channel.latest if channel.subscribed.is_set() else b""
                    events = events_after(heard, after)
                    if events:
                        return Batch(events, False)  # No round trip.
                    if last_published(heard) != after:
                        batch = await self._read_now(stream_id, after)
                        if batch.events or batch.finished:
                            return batch
                    if channel.subscribed.is_set():
                        await changed.wait()
                    else:
                        # What was published before the subscription took
                        # effect is not heard: read again once it did.
                        await channel.subscribed_or(SUBSCRIBING_POLL)
        return await self._read_now(stream_id, after)

    async def _read_now(self, stream_id: str, after: int) -> Batch:
        """The events after ``after`` now, in one round trip, without blocking."""
        key = self._key(stream_id)
        command = ("XREAD", "COUNT", 100, "STREAMS", key, f"{after}-1")
        tombstone = ("EXISTS", f"{key}:gone")
        reply, exists, gone = await self._run(command, ("EXISTS", key), tombstone)
        events, finished = entries_after(reply, after)
        if not events and not finished and not exists:
            if not gone:  # Not even its tombstone: Redis lost its data.
                raise StoreUnavailable("the stream's data was lost")
            finished = True  # Expired (or deleted) while being read.
        return Batch(events, finished)

    async def beat(self, stream_id: str, role: str, ttl: float) -> None:
        key = f"{self._key(stream_id)}:{role}"
        if role == "stop":
            # Told to the producer's worker, on its channel (see wait_stop).
            producer = f"{self._key(stream_id)}:producer"
            _set, worker = await self._run(
                ("SET", key, "1", "PX", _ms(ttl)), ("GET", producer)
            )
            if worker is not None and worker != b"1":
                await self._run(("PUBLISH", worker, self._channel(stream_id)))
            return
        value = self._stop_channel() if role == "producer" else b"1"
        # Every stream's signs of life: in rounds apart, never behind the rest.
        await self._commands.run_apart(("SET", key, value, "PX", _ms(ttl)))

    async def alive(self, stream_id: str, role: str) -> bool:
        (exists,) = await self._run(("EXISTS", f"{self._key(stream_id)}:{role}"))
        return bool(exists)

    async def wait_stop(self, stream_id: str, wait: float) -> bool:
        # Heard on this worker's channel (see beat); the key is looked at only
        # now and then: a thousand producers polling would crowd out the rest.
        waker = await self._waker()
        if waker is None:
            await anyio.sleep(wait)
            return await self.alive(stream_id, "stop")
        async with waker.stop_of(self._channel(stream_id)) as stop:
            if not stop.asked:
                with anyio.move_on_after(wait):
                    await stop.heard.wait()
            return stop.asked or (stop.look() and await self.alive(stream_id, "stop"))

    async def set_active(self, chat_key: str, stream_id: str, keep_for: float) -> None:
        await self._run(("SET", self._key(chat_key), stream_id, "PX", _ms(keep_for)))

    async def active(self, chat_key: str) -> str | None:
        (value,) = await self._run(("GET", self._key(chat_key)))
        return None if value is None else bytes(value).decode()


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))
