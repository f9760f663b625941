"""The response that carries an event stream: unbuffered, kept alive, closed
the moment the client goes away or the server shuts down."""

from __future__ import annotations

import signal
import time
from collections.abc import AsyncIterable, Mapping
from typing import Any

import anyio
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

# How often the server's shutdown is polled: by one stream's helper task per
# event loop, which then ends every open stream (their last event says
# reconnect: browsers do after "retry" ms). The other helpers wake only for
# their pings: a timer per stream every half second would cost per event.
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


class _OpenStreams:
    """An event loop's open streams, whether one polls, their events written."""

    def __init__(self) -> None:
        self.streams: set[EventStreamResponse] = set()
        self.polling = False
        self.writes = 0


_open_streams: RunVar[_OpenStreams] = RunVar("catalyst_open_streams")


def _loop_streams() -> _OpenStreams:
    streams = _open_streams.get(None)
    if streams is None:
        streams = _OpenStreams()
        _open_streams.set(streams)
    return streams


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
        self._ping_interval = ping_interval
        # The helper task pings only while no event is being written, holding
        # this lock, which the writer then waits for: the writer only counts.
        self._send_lock = anyio.Lock()
        self._pinging = False
        self._writing = False
        self._writes = 0
        self._shutting_down = False
        self._client_left = False
        # The stream's scope, and the helper's current sleep (to wake it).
        self._stream: anyio.CancelScope | None = None
        self._nap: anyio.CancelScope | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("http_version", "1.1") in ("1.0", "1.1"):
            self.raw_headers.append((b"connection", b"keep-alive"))
        start = {"status": self.status_code, "headers": self.raw_headers}
        await send({"type": "http.response.start", **start})
        async with anyio.create_task_group() as task_group:
            stream = self._stream = task_group.cancel_scope
            # The writer, resumed once per event, gets a task of its own: a
            # resume then passes a few frames, not every middleware's as in
            # this task (Starlette does the same). This task awaits the client.
            task_group.start_soon(self._write, send, stream)
            task_group.start_soon(self._tend, send)
            while (await receive())["type"] != "http.disconnect":
                pass
            self._client_left = True
            stream.cancel()
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

    async def _write(self, send: Send, stream: anyio.CancelScope) -> None:
        try:
            await self._write_events(send)
        finally:
            # Runs even while cancelled (client gone, shutdown), before the
            # other tasks: close the upstream now, not at garbage collection.
            with anyio.CancelScope(shield=True):
                await close_now(self._events)
        stream.cancel()

    async def _write_events(self, send: Send) -> None:
        # Per event: the ping check, the send and two counts, nothing else.
        loop_streams = _loop_streams()
        writes_seen = loop_streams.writes
        async for chunk in self.body_iterator:
            if self._pinging:
                # Let the ping finish so the two messages do not interleave.
                async with self._send_lock:
                    pass
            body = chunk.encode(self.charset) if isinstance(chunk, str) else chunk
            self._writing = True
            await send({"type": "http.response.body", "body": body, "more_body": True})
            self._writing = False
            self._writes += 1
            loop_streams.writes += 1
            if self._writes % _FAIRNESS_CHECK_EVERY_EVENTS == 0:
                if loop_streams.writes - writes_seen <= _FAIRNESS_CHECK_EVERY_EVENTS:
                    await anyio.lowlevel.checkpoint()
                writes_seen = loop_streams.writes

    async def _tend(self, send: Send) -> None:
        """Ping once nothing was written for a while (a write held up by a
        slow client counts as activity); poll for shutdown if no other stream
        of this event loop does."""
        loop_streams = _loop_streams()
        loop_streams.streams.add(self)
        polling = False
        try:
            interval = self._ping_interval
            seen = self._writes
            quiet_since = time.monotonic()
            while True:
                polling = polling or not loop_streams.polling
                loop_streams.polling = True
                step = interval / 4 if interval is not None else None
                if polling:
                    step = min(step or _SHUTDOWN_POLL_SECONDS, _SHUTDOWN_POLL_SECONDS)
                with anyio.CancelScope() as self._nap:
                    await (anyio.sleep(step) if step else anyio.sleep_forever())
                if polling and server_is_shutting_down():
                    for other in list(loop_streams.streams):
                        other.stop_for_shutdown()
                    return
                now = time.monotonic()
                if self._writing or self._writes != seen:
                    seen = self._writes
                    quiet_since = now
                elif interval is not None and now - quiet_since >= interval:
                    await self._ping(send)
                    quiet_since = time.monotonic()
        finally:
            loop_streams.streams.discard(self)
            if polling:
                # Hand the polling on to another open stream, woken for it.
                loop_streams.polling = False
                for other in loop_streams.streams:
                    other.wake()
                    break

    def wake(self) -> None:
        """Wake the helper task: it may have to poll for shutdown now."""
        if self._nap is not None:
            self._nap.cancel()

    def stop_for_shutdown(self) -> None:
        """End the stream with a reconnect event: the server shuts down."""
        self._shutting_down = True
        if self._stream is not None:
            self._stream.cancel()

    async def _ping(self, send: Send) -> None:
        self._pinging = True
        try:
            async with self._send_lock:
                await send(self._body(_PING))
        finally:
            self._pinging = False


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
