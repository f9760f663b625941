"""The Redis store's connection: the client made from ``REDIS_URL``, and the
one way its commands are sent (one round trip, bounded, shielded, retried
once after a restart, failures made ``StoreUnavailable``).

``redis://host:port/db`` (``rediss://`` for TLS) is one Redis;
``redis+cluster://host:port`` (``rediss+cluster://``) a Redis Cluster, given
any one of its nodes. Each worker (each event loop) has at most
``REDIS_MAX_CONNECTIONS`` round trips in flight, on as many pooled
connections, each carrying the commands of every stream that asked
meanwhile (``_redis_rounds``); the pool has one more, for the signs of life,
which must not queue behind the other commands. The
wake-up listener (``_redis_wake``) has a connection of its own. All of them
are named ``catalyst-stream*`` in ``CLIENT LIST``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, cast

import anyio
from anyio.lowlevel import RunVar

from ._limits import REDIS_CONNECT_TIMEOUT, REDIS_MAX_CONNECTIONS, REDIS_SOCKET_TIMEOUT
from ._redis_rounds import Rounds
from ._redis_wake import PubSub
from .store import StoreUnavailable


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

    async def execute(self, raise_on_error: bool = ...) -> list[Any]: ...


class RedisClient(Protocol):
    """The part of ``redis.asyncio.Redis`` this store uses."""

    def pipeline(self, transaction: bool = ...) -> _RedisPipeline: ...


class _ConnectionPool(Protocol):
    async def disconnect(self, inuse_connections: bool = ...) -> None: ...


@dataclass(frozen=True)
class Connection:
    """A client for commands and a maker of wake-up listeners."""

    client: RedisClient
    pubsub: Callable[[], PubSub]


def connect(url: str) -> Connection:
    """The client for ``url`` (no connection is opened yet)."""
    # Imported here: the in-process store must work without redis installed.
    redis_asyncio = importlib.import_module("redis.asyncio")
    retry = importlib.import_module("redis.asyncio.retry")
    backoff = importlib.import_module("redis.backoff")
    settings: dict[str, Any] = {
        "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
        "socket_timeout": REDIS_SOCKET_TIMEOUT,
        # The commands in flight (see Commands) plus the signs of life: a
        # full pool is never met. Sized here rather than left to the
        # client's default (unbounded on redis-py 4, 100 on 8).
        "max_connections": REDIS_MAX_CONNECTIONS + 1,
        "client_name": "catalyst-stream",
    }
    # One attempt: an unreachable Redis must become a 503 within the
    # connect timeout, not after rounds of retries.
    no_retry = retry.Retry(backoff.NoBackoff(), 0)
    scheme, _, rest = url.partition("://")
    if scheme.endswith("+cluster"):
        url = scheme[: -len("+cluster")] + "://" + rest
        cluster = importlib.import_module("redis.asyncio.cluster")
        client = cluster.RedisCluster.from_url(url, **settings)
    else:
        # Blocking: a command finding every connection busy waits for one
        # (bounded) instead of failing with "Too many connections".
        pool = redis_asyncio.BlockingConnectionPool.from_url(
            url, retry=no_retry, timeout=REDIS_SOCKET_TIMEOUT, **settings
        )
        client = redis_asyncio.Redis(connection_pool=pool)

    def pubsub() -> PubSub:
        # A client of its own: its one connection is not the pool's.
        # PUBLISH reaches every node of a cluster: any one node hears all.
        listener = redis_asyncio.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_CONNECT_TIMEOUT,
            retry=no_retry,
            client_name="catalyst-stream-wake",
        )
        return cast("PubSub", listener.pubsub())

    return Connection(cast("RedisClient", client), pubsub)


class Commands:
    """Sends a client's commands, gathered into rounds (``_redis_rounds``):
    at most ``REDIS_MAX_CONNECTIONS`` in flight per event loop (``run``), and
    the signs of life in rounds of their own, one in flight on the pool's one
    more connection (``run_apart``), so that they never queue behind the rest.
    """

    def __init__(self, client: RedisClient) -> None:
        self._client = client
        # Per event loop (a test client runs each app in a loop of its own).
        self._rounds: RunVar[Rounds] = RunVar(f"catalyst_redis_rounds_{id(self)}")
        self._apart: RunVar[Rounds] = RunVar(f"catalyst_redis_apart_{id(self)}")

    async def run(self, *commands: tuple[object, ...]) -> list[Any]:
        """``commands`` in one round trip, maybe with other callers' commands."""
        rounds = self._rounds_of(self._rounds, REDIS_MAX_CONNECTIONS)
        return _raised(await rounds.run(commands))

    async def run_apart(self, *commands: tuple[object, ...]) -> list[Any]:
        """Like ``run``, outside its bound: a worker's signs of life, all the
        renewals asked for while one round trip is in flight in the next.
        Queued behind other commands, a lease could run out under load and
        its stream be taken for lost though its producer was fine."""
        return _raised(await self._rounds_of(self._apart, 1).run(commands))

    def _rounds_of(self, var: RunVar[Rounds], most: int) -> Rounds:
        rounds = var.get(None)
        if rounds is None:
            rounds = Rounds(self._round_trip, most)
            var.set(rounds)
        return rounds

    async def _round_trip(self, commands: tuple[tuple[object, ...], ...]) -> list[Any]:
        """``commands`` in one round trip; connection failures become ours.

        A command's own error (Redis refused it) is its reply, so that one
        caller's error does not fail the others' commands sent with it. A
        connection that broke is tried once more, after the idle ones were
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
        replies: list[Any] = []
        try:
            # Shielded: a command cancelled half-way (its client left) can
            # leave its connection out of the pool (redis-py 4.3) or its
            # reply for the next command to read. It is bounded by the
            # socket timeout; the cancellation applies right after.
            with anyio.CancelScope(shield=True):
                async with self._client.pipeline(transaction=False) as pipe:
                    for command in commands:
                        pipe.execute_command(*command)
                    replies = await pipe.execute(raise_on_error=False)
        except Exception as exc:
            if _is_connection_error(exc):
                raise StoreUnavailable(str(exc)) from exc
            raise
        return replies


def _raised(replies: list[Any]) -> list[Any]:
    """``replies``, unless one is an error: then that, as StoreUnavailable."""
    for reply in replies:
        if isinstance(reply, Exception):
            raise StoreUnavailable(str(reply)) from reply
    return replies


def _is_stale_connection(exc: StoreUnavailable) -> bool:
    """A connection that broke (Redis restarted): worth one more try.

    Not a timeout: a Redis that does not answer must become a 503 within
    the connect timeout, not twice that.
    """
    cause = exc.__cause__
    return cause is not None and "Timeout" not in type(cause).__name__


def is_closed(exc: StoreUnavailable) -> bool:
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
