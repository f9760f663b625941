"""Resumable streams in Redis Streams, shared by every worker on the same Redis.

One Redis stream per answer, key ``<prefix>{<stream-id>}``. Event number n has
the entry id ``n-1``, so reading after event n is XREAD from ``n-1``; the
entry ``0-1`` marks the stream's creation and the last entry, with a field
``end``, its end. Beside it: ``<key>:gone`` (a tombstone, to tell expired from
unknown) and ``<key>:reader`` / ``<key>:producer`` (signs of life with a TTL).
The braces are a hash tag: on a Redis Cluster all of a stream's keys share
one slot, and no command here spans two streams.

Connections: every command borrows one of at most ``REDIS_MAX_CONNECTIONS``
per worker (per event loop) for one short round trip; readers that wait for
new events hold none (see ``_redis_wake``: one pub/sub connection per worker
wakes them). ``REDIS_URL`` is ``redis://host:port/db`` (``rediss://`` for
TLS) or, for a Redis Cluster, ``redis+cluster://host:port`` (any one node).

redis is imported only when a store is made from a URL, so that the rest of
the package imports, and type-checks, without it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol, cast

import anyio
from anyio.lowlevel import RunVar

from ._limits import (
    DEFAULT_KEEP_FOR,
    MAX_EVENTS,
    REDIS_CONNECT_TIMEOUT,
    REDIS_MAX_CONNECTIONS,
    REDIS_SOCKET_TIMEOUT,
    TOMBSTONE_SECONDS,
)
from ._redis_wake import SUBSCRIBING_POLL, PubSub, Wakeups
from ._runner import start_background
from .store import Batch, StoreUnavailable, StreamState

__all__ = ["RedisStreamStore"]


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


def _is_connection_error(exc: Exception) -> bool:
    """Whether ``exc`` says Redis cannot be reached, rather than a bug here.

    The network's errors are OSErrors (TimeoutError among them); redis's own
    are in its modules; and on Python < 3.11 the client's timeouts can surface
    as asyncio's TimeoutError, which is not yet the builtin one.
    """
    module = type(exc).__module__
    return isinstance(exc, OSError) or module.startswith(("redis", "asyncio"))


class RedisStreamStore:
    """Streams in Redis Streams, shared by every worker that uses the same Redis.

    ``client`` is a ``redis.asyncio.Redis`` made with ``decode_responses``
    off; :meth:`from_url` makes one with bounded connect and socket timeouts.
    """

    def __init__(
        self,
        client: RedisClient,
        *,
        prefix: str = "catalyst:stream:",
        pubsub: Callable[[], PubSub] | None = None,
    ) -> None:
        self._client = client
        self._prefix = prefix
        # Makes the pub/sub connection that wakes waiting readers; without
        # one, a reader that caught up polls every POLL_SECONDS.
        self._pubsub = pubsub
        # Per event loop (a test client runs each app in a loop of its own).
        self._wakeups: RunVar[Wakeups] = RunVar(f"catalyst_wakeups_{id(self)}")
        self._slots: RunVar[anyio.CapacityLimiter] = RunVar(
            f"catalyst_redis_slots_{id(self)}"
        )
        # keep_for of the streams this process produces (append moves expiry).
        self._keep_for: dict[str, float] = {}

    @classmethod
    def from_url(
        cls, url: str, *, prefix: str = "catalyst:stream:"
    ) -> RedisStreamStore:
        """A store on ``url``, failing fast when Redis is down.

        ``redis://host:port/db`` (or ``rediss://``) for one Redis;
        ``redis+cluster://host:port`` (or ``rediss+cluster://``) for a Redis
        Cluster, given any one of its nodes.
        """
        # Imported here: the in-process store must work without redis installed.
        redis_asyncio = importlib.import_module("redis.asyncio")
        retry = importlib.import_module("redis.asyncio.retry")
        backoff = importlib.import_module("redis.backoff")
        settings: dict[str, Any] = {
            "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
            "socket_timeout": REDIS_SOCKET_TIMEOUT,
            # Never more than the commands in flight (see _run), so a full
            # pool is never met; sized here rather than left to the client's
            # default (unbounded on redis-py 4, 100 on 8).
            "max_connections": REDIS_MAX_CONNECTIONS,
            # Named, so that CLIENT LIST tells this store's connections apart.
            "client_name": "catalyst-stream",
        }
        # One attempt: an unreachable Redis must become a 503 within the
        # connect timeout, not after rounds of retries.
        no_retry = retry.Retry(backoff.NoBackoff(), 0)
        scheme, _, rest = url.partition("://")
        if scheme.endswith("+cluster"):
            node_url = scheme.removesuffix("+cluster") + "://" + rest
            cluster = importlib.import_module("redis.asyncio.cluster")
            client = cluster.RedisCluster.from_url(node_url, **settings)
            listen_url = node_url
        else:
            # Blocking: a command finding every connection busy waits for one
            # (bounded) instead of failing with "Too many connections".
            pool = redis_asyncio.BlockingConnectionPool.from_url(
                url, retry=no_retry, timeout=REDIS_SOCKET_TIMEOUT, **settings
            )
            client = redis_asyncio.Redis(connection_pool=pool)
            listen_url = url

        def pubsub() -> PubSub:
            # A client of its own: its one connection is not the pool's.
            listener = redis_asyncio.Redis.from_url(
                listen_url,
                socket_connect_timeout=REDIS_CONNECT_TIMEOUT,
                retry=no_retry,
                client_name="catalyst-stream-wake",
            )
            return cast("PubSub", listener.pubsub())

        return cls(cast("RedisClient", client), prefix=prefix, pubsub=pubsub)

    async def _run(self, *commands: tuple[object, ...]) -> list[Any]:
        """Send commands in one round trip; connection failures become ours."""
        slots = self._slots.get(None)
        if slots is None:
            slots = anyio.CapacityLimiter(REDIS_MAX_CONNECTIONS)
            self._slots.set(slots)
        replies: list[Any] = []
        try:
            async with slots:
                # Shielded: a command cancelled half-way (its client left)
                # can leave its connection out of the pool (redis-py 4.3) or
                # its reply for the next command to read. It is bounded by
                # the socket timeout; the cancellation applies right after.
                with anyio.CancelScope(shield=True):
                    async with self._client.pipeline(transaction=False) as pipe:
                        for command in commands:
                            pipe.execute_command(*command)
                        replies = await pipe.execute()
        except Exception as exc:
            if _is_connection_error(exc):
                raise StoreUnavailable(str(exc)) from exc
            raise
        return replies

    def _key(self, stream_id: str) -> str:
        # The hash tag puts every key of the stream in one cluster slot.
        return self._prefix + "{" + stream_id + "}"

    def _channel(self, stream_id: str) -> bytes:
        return (self._key(stream_id) + ":wake").encode()

    async def _waker(self) -> Wakeups | None:
        """This loop's wake-up listener, started with the first waiting reader."""
        if self._pubsub is None:
            return None
        wakeups = self._wakeups.get(None)
        if wakeups is None:
            wakeups = Wakeups(self._pubsub)
            self._wakeups.set(wakeups)
            await start_background(wakeups.listen)
        return wakeups

    async def create(self, stream_id: str, keep_for: float) -> None:
        key = self._key(stream_id)
        self._keep_for[stream_id] = keep_for
        await self._run(
            ("XADD", key, "0-1", "start", "1"),
            ("PEXPIRE", key, _ms(keep_for)),
            ("SET", f"{key}:gone", "1", "PX", _ms(keep_for + TOMBSTONE_SECONDS)),
        )

    async def append(self, stream_id: str, seq: int, events: list[bytes]) -> None:
        key = self._key(stream_id)
        bound = ("MAXLEN", "~", MAX_EVENTS)
        commands = [
            ("XADD", key, *bound, f"{seq + offset}-1", "e", event)
            for offset, event in enumerate(events)
        ]
        # The expiry moves with every batch: a stream whose producer died
        # without finishing it is removed keep_for after its last event.
        keep_for = self._keep_for.get(stream_id, DEFAULT_KEEP_FOR)
        wake = ("PUBLISH", self._channel(stream_id), b"")
        await self._run(*commands, ("PEXPIRE", key, _ms(keep_for)), wake)

    async def finish(self, stream_id: str, after: int, keep_for: float) -> None:
        key = self._key(stream_id)
        self._keep_for.pop(stream_id, None)
        await self._run(
            ("XADD", key, f"{after + 1}-1", "end", "1"),
            ("PEXPIRE", key, _ms(keep_for)),
            ("SET", f"{key}:gone", "1", "PX", _ms(keep_for + TOMBSTONE_SECONDS)),
            ("PUBLISH", self._channel(stream_id), b""),
        )

    async def state(self, stream_id: str) -> StreamState:
        key = self._key(stream_id)
        exists, gone = await self._run(("EXISTS", key), ("EXISTS", f"{key}:gone"))
        if exists:
            return "live"
        return "expired" if gone else "unknown"

    async def read(self, stream_id: str, after: int, wait: float) -> Batch:
        batch = await self._read_now(stream_id, after)
        if batch.events or batch.finished or wait <= 0:
            return batch
        waker = await self._waker()
        with anyio.move_on_after(wait):
            if waker is None:
                await anyio.sleep_forever()  # No listener: poll.
            else:
                async with waker.watching(self._channel(stream_id)) as channel:
                    while True:
                        changed = channel.changed
                        subscribed = channel.subscribed.is_set()
                        # What was published before the subscription took
                        # effect is not heard: read again once it did.
                        batch = await self._read_now(stream_id, after)
                        if batch.events or batch.finished:
                            return batch
                        if subscribed:
                            await changed.wait()
                            break
                        with anyio.move_on_after(SUBSCRIBING_POLL):
                            await channel.subscribed.wait()
        return await self._read_now(stream_id, after)

    async def _read_now(self, stream_id: str, after: int) -> Batch:
        """The events after ``after`` now, in one round trip, without blocking."""
        key = self._key(stream_id)
        command = ("XREAD", "COUNT", 1000, "STREAMS", key, f"{after}-1")
        reply, exists = await self._run(command, ("EXISTS", key))
        events: list[tuple[int, bytes]] = []
        finished = False
        for _key, entries in _stream_entries(reply):
            for entry_id, fields in entries:
                if b"end" in fields:
                    finished = True
                    break
                events.append((int(entry_id.split(b"-")[0]), fields[b"e"]))
        if not events and not finished and not exists:
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
