"""Resumable streams in Redis Streams, shared by every worker on the same Redis.

One Redis stream per answer, key ``<prefix><stream-id>``. Event number n has
the entry id ``n-1``, so reading after event n is XREAD from ``n-1``; the
entry ``0-1`` marks the stream's creation and the last entry, with a field
``end``, its end. Beside it: ``<key>:gone`` (a tombstone, to tell expired from
unknown) and ``<key>:reader`` / ``<key>:producer`` (signs of life with a TTL:
the producer's is its lease). Every key of a stream starts with its key, so
that they share a Redis Cluster hash slot once the key has a ``{...}`` tag.

redis is imported only when a store is made from a URL, so that the rest of
the package imports, and type-checks, without it.
"""

from __future__ import annotations

import importlib
from types import TracebackType
from typing import Any, Protocol, cast

import anyio

from ._limits import (
    DEFAULT_KEEP_FOR,
    MAX_EVENTS,
    PRODUCER_TTL,
    REDIS_CONNECT_TIMEOUT,
    REDIS_MAX_CONNECTIONS,
    REDIS_SOCKET_TIMEOUT,
    REDIS_STOP_POLL,
    TOMBSTONE_SECONDS,
)
from .store import Batch, StoreUnavailable, StreamClosed, StreamInfo, StreamState

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


class _ConnectionPool(Protocol):
    async def disconnect(self, inuse_connections: bool = ...) -> None: ...


# Ends a stream whose producer's lease ran out, unless it ended or the lease
# came back: the check and the writes are one step, so a producer that is
# alive after all is never cut off. KEYS: the stream, its producer's lease,
# its tombstone. ARGV: the error event, keep_for and the tombstone's ms.
_END_LOST = """
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #last == 0 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local fields = last[1][2]
for i = 1, #fields, 2 do
  if fields[i] == 'end' then return 0 end
end
local seq = tonumber(string.match(last[1][1], '^(%d+)-'))
redis.call('XADD', KEYS[1], string.format('%d-1', seq + 1), 'e', ARGV[1])
redis.call('XADD', KEYS[1], string.format('%d-1', seq + 2), 'end', '1')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('SET', KEYS[3], '1', 'PX', ARGV[3])
return 1
"""


def _is_stale_connection(exc: StoreUnavailable) -> bool:
    """A connection that broke (Redis restarted): worth one more try.

    Not a timeout: a Redis that does not answer must become a 503 within
    the connect timeout, not twice that.
    """
    cause = exc.__cause__
    return cause is not None and "Timeout" not in type(cause).__name__


def _is_closed(exc: StoreUnavailable) -> bool:
    """XADD refused an id below the stream's last: a reader ended it."""
    return "equal or smaller" in str(exc)


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
    Each stream keeps about its last ``max_events`` events (``XADD MAXLEN ~``,
    default ``MAX_EVENTS``); a replay from a dropped one gets ``HistoryLost``.
    """

    def __init__(
        self,
        client: RedisClient,
        *,
        prefix: str = "catalyst:stream:",
        max_events: int = MAX_EVENTS,
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._max_events = max_events
        # keep_for of the streams this process produces (append moves expiry).
        self._keep_for: dict[str, float] = {}

    @classmethod
    def from_url(
        cls, url: str, *, prefix: str = "catalyst:stream:", max_events: int = MAX_EVENTS
    ) -> RedisStreamStore:
        """A store on ``url`` (``redis://host:port/db``), failing fast when down."""
        # Imported here: the in-process store must work without redis installed.
        redis_asyncio = importlib.import_module("redis.asyncio")
        retry = importlib.import_module("redis.asyncio.retry")
        backoff = importlib.import_module("redis.backoff")
        client = redis_asyncio.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_CONNECT_TIMEOUT,
            socket_timeout=REDIS_SOCKET_TIMEOUT,
            max_connections=REDIS_MAX_CONNECTIONS,
            # One attempt: an unreachable Redis must become a 503 within the
            # connect timeout, not after rounds of retries.
            retry=retry.Retry(backoff.NoBackoff(), 0),
        )
        return cls(cast("RedisClient", client), prefix=prefix, max_events=max_events)

    async def _run(self, *commands: tuple[object, ...]) -> list[Any]:
        """Send commands in one round trip; connection failures become ours.

        A connection that broke is tried once more, after the idle ones were
        dropped: after a Redis restart every pooled connection is stale.
        """
        try:
            return await self._send(commands)
        except StoreUnavailable as exc:
            if not _is_stale_connection(exc):
                raise
            pool = cast(
                "_ConnectionPool | None", getattr(self._client, "connection_pool", None)
            )
            if pool is not None:
                await pool.disconnect(inuse_connections=False)
            return await self._send(commands)

    async def _send(self, commands: tuple[tuple[object, ...], ...]) -> list[Any]:
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                for command in commands:
                    pipe.execute_command(*command)
                return await pipe.execute()
        except Exception as exc:
            if _is_connection_error(exc):
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
            ("SET", f"{key}:gone", "1", "PX", _ms(keep_for + TOMBSTONE_SECONDS)),
        )

    async def append(self, stream_id: str, seq: int, events: list[bytes]) -> None:
        key = self._key(stream_id)
        bound = ("MAXLEN", "~", self._max_events)
        commands = [
            ("XADD", key, *bound, f"{seq + offset}-1", "e", event)
            for offset, event in enumerate(events)
        ]
        # The expiry moves with every batch: a stream whose producer died
        # without finishing it is removed keep_for after its last event.
        keep_for = self._keep_for.get(stream_id, DEFAULT_KEEP_FOR)
        try:
            await self._run(
                *commands,
                ("PEXPIRE", key, _ms(keep_for)),
                ("SET", f"{key}:producer", "1", "PX", _ms(PRODUCER_TTL)),
            )
        except StoreUnavailable as exc:
            if _is_closed(exc):
                raise StreamClosed(stream_id) from exc
            raise

    async def finish(
        self, stream_id: str, after: int, keep_for: float, last: bytes | None = None
    ) -> None:
        key = self._key(stream_id)
        self._keep_for.pop(stream_id, None)
        events = [] if last is None else [("XADD", key, f"{after + 1}-1", "e", last)]
        end = after + len(events) + 1
        try:
            await self._run(
                *events,
                ("XADD", key, f"{end}-1", "end", "1"),
                ("PEXPIRE", key, _ms(keep_for)),
                ("SET", f"{key}:gone", "1", "PX", _ms(keep_for + TOMBSTONE_SECONDS)),
            )
        except StoreUnavailable as exc:
            if _is_closed(exc):
                raise StreamClosed(stream_id) from exc
            raise

    async def end_lost(self, stream_id: str, last: bytes, keep_for: float) -> bool:
        key = self._key(stream_id)
        keys = (key, f"{key}:producer", f"{key}:gone")
        ms = (_ms(keep_for), _ms(keep_for + TOMBSTONE_SECONDS))
        (ended,) = await self._run(("EVAL", _END_LOST, len(keys), *keys, last, *ms))
        return bool(ended)

    async def state(self, stream_id: str) -> StreamState:
        key = self._key(stream_id)
        exists, gone = await self._run(("EXISTS", key), ("EXISTS", f"{key}:gone"))
        if exists:
            return "live"
        return "expired" if gone else "unknown"

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

    async def wait_stop(self, stream_id: str, wait: float) -> bool:
        # A key the producer looks at every REDIS_STOP_POLL s: no connection
        # held per stream, and a stop asked on any worker is seen.
        with anyio.move_on_after(wait):
            while True:
                if await self.alive(stream_id, "stop"):
                    return True
                await anyio.sleep(REDIS_STOP_POLL)
        return False

    async def set_active(self, chat_key: str, stream_id: str, keep_for: float) -> None:
        await self._run(("SET", self._key(chat_key), stream_id, "PX", _ms(keep_for)))

    async def active(self, chat_key: str) -> str | None:
        (value,) = await self._run(("GET", self._key(chat_key)))
        return None if value is None else bytes(value).decode()


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
