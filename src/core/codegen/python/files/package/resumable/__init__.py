"""Resumable Server-Sent Events streams: an answer that survives reconnects.

A page reload, a phone switching networks or a proxy timeout drops an SSE
connection. With a resumable stream the answer is not lost, and not paid for
again: the events are produced by a task of their own, decoupled from the
connection, and kept in a store; every event carries an id
``<stream-id>:<seq>``, and a request that sends ``Last-Event-ID`` (a browser's
EventSource does so by itself when it reconnects) gets the events after that
id, then follows the live stream, on whichever worker it lands.

Example::

    from .streaming.resumable.response import (
        ResumableStreamResponse,
        resumable_response,
    )
    from .streaming.tokens import stream_tokens


    @app.get("/stream")
    async def stream(prompt: str = "Hi") -> ResumableStreamResponse:
        return resumable_response(lambda: stream_tokens(tokens(prompt)))

The events are made (``tokens(prompt)`` called) only when a new stream
starts, never on a reconnect. The store is Redis (Redis Streams) when the
``REDIS_URL`` environment variable is set, so that every worker behind a load
balancer reads the same streams; otherwise an in-process store, enough for a
single worker and with nothing to install.

- A stream that nobody reads for ``abandon_after`` seconds (default 30) is
  cancelled: its token source is closed, so the provider request, and its
  billing, stop.
- A finished stream stays readable for ``keep_for`` seconds (default 600).
- An unknown ``Last-Event-ID`` gets 404 and an expired one 410, with a JSON
  body; a reconnect after the last event of a finished stream gets 204, which
  tells an EventSource to stop reconnecting.
- Redis unreachable when a stream starts: 503 with a JSON body, within the
  connect timeout. Redis lost mid-stream: one ``error`` event, then the
  stream ends cleanly. Every wait has a bound.

Who can read a stream: anyone who holds its id, through the route that
started it (the store key names the route: another route answers 404). The
id is 128 random bits, sent only to the client that started the stream. To
tie streams to users, pass ``owner=`` (e.g. the user id from the app's auth
dependency): a resume by anyone else is 404.

A replay never skips silently: events the store no longer keeps (more than
``MAX_EVENTS``) give a ``HistoryLost`` error event; a producer whose lease
ran out (its worker died) gives a ``StreamLost`` one, stored as the end.

The events are stored as they were encoded (any encoder of the package: one
complete SSE event per chunk), so this works with every protocol; keep-alive
pings are added per connection and never stored.

Modules: ``response`` (the response and its defaults), ``store`` (the store
interface and the in-process store), ``redis_store`` (the Redis store).
"""
