"""The response that carries an event stream: unbuffered, kept alive, closed
the moment the client goes away or the server shuts down."""

from __future__ import annotations

import heapq
import signal
import time
from collections.abc import AsyncIterable, Mapping
from typing import Any

import anyio
import anyio.abc
import anyio.lowlevel
from anyio.lowlevel import RunVar
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from .parts import close_now

__all__ = ["DEFAULT_PING_INTERVAL", "EventStreamResponse", "streaming_response"]

DEFAULT_PING_INTERVAL = 15.0
"""Seconds of silence after which a ``: ping`` comment is sent: proxies and
load balancers commonly drop connections idle for 30-60 seconds, and every SSE
client ignores a comment line."""

# A stream whose generator never awaits (tokens already in memory, CPU-bound
# work) would otherwise hold the event loop until it ends: no other request is
# served and a client disconnect goes unnoticed. Every so many events a stream
# looks whether any other stream of its event loop wrote meanwhile; if none
# did, it may be holding the loop and hands control back. Paced streams (a
# model's tokens) always see the others' writes and never pay for a yield; a
# clock read or a sleep(0) per event would cost a measurable share of CPU.
_FAIRNESS_CHECK_EVERY_EVENTS = 16

# How often the keeper polls for the server's shutdown, then ends every open
# stream (their last event says reconnect: browsers do after "retry" ms).
_SHUTDOWN_POLL_SECONDS = 0.5
_RECONNECT_EVENT = (
    b'retry: 1000\nevent: reconnect\ndata: {"reason":"server shutting down"}\n\n'
)
_PING = b": ping\n\n"

_SSE_HEADERS: Mapping[str, str] = {
    # Intermediaries must not cache or transform the stream; nginx buffers
    # proxied responses unless told not to for this response.
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",
}


def server_is_shutting_down() -> bool:
    """Whether uvicorn was told to shut down.

    uvicorn 0.29+ installs ``Server.handle_exit`` as the SIGTERM handler and
    sets ``should_exit`` on a signal; older versions install it on the event
    loop, out of reach, and then this stays False.
    """
    server = getattr(signal.getsignal(signal.SIGTERM), "__self__", None)
    return getattr(server, "should_exit", False) is True


class _Keeper:
    """An event loop's open streams and the one task that keeps them: it
    pings the quiet ones and ends them all when the server shuts down. A task
    and a timer per stream would cost per event at a thousand streams; here a
    stream costs an entry in a heap of times to look at it, and the keeper
    runs in one stream's task group, handed on when that stream ends."""

    def __init__(self) -> None:
        self.streams: set[EventStreamResponse] = set()
        self.writes = 0
        # (when, id, stream): one entry per stream, so streams never compare.
        self._looks: list[tuple[float, int, EventStreamResponse]] = []
        self._running = False
        self._wake_at = 0.0
        self._nap = anyio.CancelScope()

    def open(self, stream: EventStreamResponse, host: anyio.abc.TaskGroup) -> None:
        self.streams.add(stream)
        self._look_at(stream, stream.look(time.monotonic()))
        if not self._running:
            self._running = True
            host.start_soon(self.keep, stream)

    def _look_at(self, stream: EventStreamResponse, when: float | None) -> None:
        if when is not None:
            heapq.heappush(self._looks, (when, id(stream), stream))
            if when < self._wake_at:
                self._nap.cancel()

    async def keep(self, host: EventStreamResponse) -> None:
        """Look at each stream when due, poll for shutdown; then hand on."""
        try:
            while not server_is_shutting_down():
                now = time.monotonic()
                while self._looks and self._looks[0][0] <= now:
                    stream = heapq.heappop(self._looks)[2]
                    if stream in self.streams:
                        self._look_at(stream, stream.look(now))
                self._wake_at = now + _SHUTDOWN_POLL_SECONDS
                if self._looks:
                    self._wake_at = min(self._wake_at, self._looks[0][0])
                with anyio.CancelScope() as self._nap:
                    await anyio.sleep(self._wake_at - now)
            for stream in list(self.streams):
                stream.stop_for_shutdown()
        finally:
            self._running = False
            self._wake_at = 0.0
            for stream in self.streams:
                if stream is not host and stream.host(self):
                    self._running = True
                    break


_keepers: RunVar[_Keeper] = RunVar("catalyst_stream_keeper")


def _keeper() -> _Keeper:
    keeper = _keepers.get(None)
    if keeper is None:
        keeper = _Keeper()
        _keepers.set(keeper)
    return keeper


class EventStreamResponse(StreamingResponse):
    """A ``StreamingResponse`` made for Server-Sent Events.

    It sends anti-buffering headers (and ``Connection: keep-alive`` over
    HTTP/1.x only: HTTP/2 and 3 forbid it), a ``: ping`` comment after
    ``ping_interval`` seconds of silence; it closes the event generator as
    soon as the stream ends or the client leaves, and ends with ``retry:
    1000`` and a ``reconnect`` event when the server shuts down. ``content``
    must be an async iterable of ``bytes`` (a synchronous iterator would run
    in a thread and could not be closed when the client leaves).
    """

    def __init__(
        self,
        content: AsyncIterable[bytes],
        *,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str = "text/event-stream",
        background: BackgroundTask | None = None,
        ping_interval: float | None = DEFAULT_PING_INTERVAL,
    ) -> None:
        if ping_interval is not None and not ping_interval > 0:
            raise ValueError(
                f"ping_interval must be a positive number of seconds or None, "
                f"got {ping_interval!r}"
            )
        super().__init__(
            content,
            status_code=status_code,
            headers={**_SSE_HEADERS, **(headers or {})},
            media_type=media_type,
            background=background,
        )
        self._events = content
        self.ping_interval = ping_interval
        # The writer counts its events and says when it is in a send (a
        # write held up by a slow client is activity); the keeper looks.
        self._writing = False
        self._writes = 0
        self._seen = 0
        self._quiet_since = 0.0
        # Set while a ping is being sent: the writer waits for it.
        self._ping_sent: anyio.Event | None = None
        self._shutting_down = False
        self._client_left = False
        # Set when the response starts, before the keeper sees the stream.
        self._send: Send
        self._tasks: anyio.abc.TaskGroup

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("http_version", "1.1") in ("1.0", "1.1"):
            self.raw_headers.append((b"connection", b"keep-alive"))
        start = {"status": self.status_code, "headers": self.raw_headers}
        await send({"type": "http.response.start", **start})
        keeper = _keeper()
        async with anyio.create_task_group() as tasks:
            self._send, self._tasks = send, tasks
            self._quiet_since = time.monotonic()
            # The writer, resumed once per event, gets a task of its own: a
            # resume then passes a few frames, not every middleware's as in
            # this task (Starlette does the same). This task awaits the client.
            tasks.start_soon(self._write, send, keeper)
            keeper.open(self, tasks)
            try:
                while (await receive())["type"] != "http.disconnect":
                    pass
                self._client_left = True
                tasks.cancel_scope.cancel()
            finally:
                keeper.streams.discard(self)
        if self._client_left:
            return
        if self._shutting_down:
            await send(self._body(_RECONNECT_EVENT))
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        if self.background is not None:
            await self.background()

    @staticmethod
    def _body(chunk: bytes) -> dict[str, Any]:
        return {"type": "http.response.body", "body": chunk, "more_body": True}

    async def _write(self, send: Send, keeper: _Keeper) -> None:
        # Per event: the ping check, the send and two counts, nothing else.
        writes_seen = keeper.writes
        try:
            async for chunk in self.body_iterator:
                if self._ping_sent is not None:
                    # Let the ping finish so the two messages do not interleave.
                    await self._ping_sent.wait()
                body = chunk.encode(self.charset) if isinstance(chunk, str) else chunk
                self._writing = True
                await send(
                    {"type": "http.response.body", "body": body, "more_body": True}
                )
                self._writing = False
                self._writes += 1
                keeper.writes += 1
                if self._writes % _FAIRNESS_CHECK_EVERY_EVENTS == 0:
                    if keeper.writes - writes_seen <= _FAIRNESS_CHECK_EVERY_EVENTS:
                        await anyio.lowlevel.checkpoint()
                    writes_seen = keeper.writes
        finally:
            # Runs even while cancelled (client gone, shutdown), before the
            # other tasks: close the upstream now, not at garbage collection.
            with anyio.CancelScope(shield=True):
                await close_now(self._events)
        self._tasks.cancel_scope.cancel()

    def look(self, now: float) -> float | None:
        """The keeper's look, every quarter of the ping interval (the time of
        the next one, None for none): a ping once nothing was written for the
        interval, sent by a task of the stream's own, so that a slow client
        holds up that task only."""
        interval = self.ping_interval
        if interval is None:
            return None
        if self._writing or self._writes != self._seen or self._ping_sent is not None:
            self._seen = self._writes
            self._quiet_since = now
        elif now - self._quiet_since >= interval:
            self._ping_sent = anyio.Event()
            self._tasks.start_soon(self._ping, self._ping_sent)
            self._quiet_since = now
        return now + interval / 4

    def host(self, keeper: _Keeper) -> bool:
        """Run the keeper in this stream's task group, if it is still open."""
        if self._tasks.cancel_scope.cancel_called:
            return False
        self._tasks.start_soon(keeper.keep, self)
        return True

    def stop_for_shutdown(self) -> None:
        """End the stream with a reconnect event: the server shuts down."""
        self._shutting_down = True
        self._tasks.cancel_scope.cancel()

    async def _ping(self, sent: anyio.Event) -> None:
        try:
            await self._send(self._body(_PING))
        finally:
            self._ping_sent = None
            sent.set()


def streaming_response(
    generator: AsyncIterable[bytes],
    media_type: str = "text/event-stream",
    headers: Mapping[str, str] | None = None,
    *,
    ping_interval: float | None = DEFAULT_PING_INTERVAL,
    background: BackgroundTask | None = None,
) -> EventStreamResponse:
    """SSE-encoded events (e.g. from ``stream_tokens``) as a response.

    ``headers`` add to (and may override) the anti-buffering defaults;
    ``ping_interval=None`` sends no keep-alive comments.
    """
    return EventStreamResponse(
        generator,
        headers=headers,
        media_type=media_type,
        background=background,
        ping_interval=ping_interval,
    )
