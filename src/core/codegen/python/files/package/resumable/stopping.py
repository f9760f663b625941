"""Stop a resumable stream from any worker: the stop endpoint and the token
source wrapper that ends a stopped answer as its protocol ends an answer.

A stop is asked for through the store (a key, and on Redis a message on the
stream's channel that the producer's worker listens to: heard at once
either way), so it reaches the worker that produces the stream, whichever
that is. The producer's
source, wrapped in :func:`until_stopped`, ends at its next token and is
closed there (the provider's connection with it); the encoder then ends the
stream as it ends every answer, and every reader gets that end.

Example, beside a resumable route ``stream``::

    @app.post("/stream/{stream_id}/stop")
    async def stop_stream(stream_id: str) -> Response:
        return await stop_response(stream, stream_id)
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
from starlette.responses import JSONResponse, Response

from ..finish import answer_stopped
from ..parts import StreamPart, TokenSource, close_now
from ._keys import chat_key, is_stream_id, route_name, store_key
from ._limits import DEFAULT_KEEP_FOR, POLL_SECONDS, STOP_WAIT
from .response import default_store, json_error
from .store import StoreUnavailable, StreamStore

__all__ = ["stop_response", "until_stopped"]

_logger = logging.getLogger(__name__)


async def until_stopped(source: TokenSource) -> AsyncIterator[str | StreamPart]:
    """``source``'s parts until a stop of this stream is asked for.

    Then it ends at the source's next part (dropped: the answer is what was
    sent before the stop) and closes the source at rest, so its own cleanup
    closes the provider's connection. Outside a resumable stream's producer
    it passes every part through.
    """
    try:
        async for part in source:
            if answer_stopped():
                break
            yield part
    finally:
        await close_now(source)


async def stop_response(
    route: Callable[..., Any],
    stream_id: str,
    *,
    chat: bool = False,
    owner: str | None = None,
    store: StreamStore | None = None,
) -> Response:
    """Stop a stream of ``route`` (the endpoint function that started it).

    ``stream_id`` is the stream's id (the part of its event ids before the
    colon, or the ``x-stream-id`` header), or with ``chat=True`` useChat's
    chat id, whose active stream is stopped. Answers 200 ``{"status":
    "stopped"}`` once the stream has ended (every reader got its end), 202
    ``{"status": "stopping"}`` if it has not within ``STOP_WAIT`` seconds,
    409 ``stream-finished`` for a stream that had already ended (nothing is
    changed), 404 for an unknown id, 410 for an expired one, 503 when the
    store cannot be reached. Pass the same ``owner`` as the route does.
    """
    store = store or default_store()
    name = route_name(route)
    try:
        if chat:
            key = await store.active(chat_key(stream_id, name, owner))
        else:
            key = store_key(stream_id, name, owner) if is_stream_id(stream_id) else None
        info = None if key is None else await store.info(key)
        if key is None or info is None or info.state == "unknown":
            return json_error(404, "unknown-stream", "No stream has this id.")
        if info.state == "expired":
            return json_error(410, "expired-stream", "This stream has expired.")
        if info.finished:
            message = "This stream had already ended; nothing was stopped."
            return json_error(409, "stream-finished", message)
        await store.beat(key, "stop", DEFAULT_KEEP_FOR)
        after = info.last
        with anyio.move_on_after(STOP_WAIT):
            while True:
                batch = await store.read(key, after, POLL_SECONDS)
                if batch.finished:
                    return JSONResponse({"status": "stopped"})
                if batch.events:
                    after = batch.events[-1][0]
        return JSONResponse({"status": "stopping"}, status_code=202)
    except StoreUnavailable:
        _logger.exception("Stream store unavailable")
        message = "The stream store (Redis) cannot be reached; try again later."
        return json_error(503, "store-unavailable", message)
