"""Resumable streams in Redis Streams, shared by every worker on the same Redis.

One Redis stream per answer, key ``<prefix><stream-id>``. Event number n has
the entry id ``n-1``, so reading after event n is XREAD from ``n-1``; the
entry ``0-1`` marks the stream's creation and the last entry, with a field
``end``, its end. Beside it: ``<key>:gone`` (a tombstone, to tell expired from
unknown) and ``<key>:reader`` / ``<key>:producer`` (signs of life with a TTL).

redis is imported only when a store is made from a URL, so that the rest of
the package imports, and type-checks, without it.
"""

from __future__ import annotations

import importlib
from types import TracebackType
from typing import Any, Protocol, cast

from ._limits import (
    DEFAULT_KEEP_FOR,
    MAX_EVENTS,
    REDIS_CONNECT_TIMEOUT,
    REDIS_SOCKET_TIMEOUT,
    TOMBSTONE_SECONDS,
)
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
            socket_timeout=REDIS_SOCKET_TIMEOUT,
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
        bound = ("MAXLEN", "~", MAX_EVENTS)
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
            ("SET", f"{key}:gone", "1", "PX", _ms(keep_for + TOMBSTONE_SECONDS)),
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
