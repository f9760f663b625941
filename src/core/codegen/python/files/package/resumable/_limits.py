"""The bounds of resumable streams: every wait, size and lifetime, in one place.

Shared by the stores, the producer and the response, so that each side's
sign of life and each wait are measured against the same numbers.
"""

from __future__ import annotations

DEFAULT_ABANDON_AFTER = 30.0
"""Seconds a stream keeps producing while nobody reads it."""

DEFAULT_KEEP_FOR = 600.0
"""Seconds a finished stream stays readable."""

REDIS_CONNECT_TIMEOUT = 2.0
"""Seconds to wait for a connection to Redis before answering 503."""

POLL_SECONDS = 1.0
"""The longest a reader waits for new events in one call to the store.

Between two calls it tells the store it is still there.
"""

PRODUCER_TTL = 2.0
"""Seconds a producer's lease lasts: it renews it every ``PRODUCER_RENEW``.

A reader that sees neither new events nor a lease ends the stream with a
``StreamLost`` error and stores that end (the producing worker was killed),
so a loss is found within about ``PRODUCER_TTL + POLL_SECONDS`` seconds and
every later resume gets the end at once.
"""

PRODUCER_RENEW = 0.5
"""Seconds between two renewals of the producer's lease. Every write of
events renews it too, so a live stream is taken for lost only when it wrote
nothing and its watcher ran ``PRODUCER_TTL - PRODUCER_RENEW`` seconds late
(an event loop blocked that long)."""

MAX_EVENTS = 100_000
"""The events kept per stream (Redis XADD MAXLEN): older ones are dropped,
and a replay that asks for a dropped one gets a ``HistoryLost`` error."""

MAX_STREAM_BYTES = 16 * 1024 * 1024
"""The bytes of events one stream may keep in the in-process store; a stream
that reaches it is stopped with a ``StreamTooLarge`` error."""

MAX_TOTAL_BYTES = 256 * 1024 * 1024
"""The bytes of events the in-process store keeps in all, per process: the
oldest finished streams are dropped first (410 afterwards), then a stream
that would pass it is stopped with a ``StreamTooLarge`` error."""

BATCH_EVENTS = 256
"""The most events written to the store in one round trip."""

TOMBSTONE_SECONDS = 86_400.0
"""How long an expired stream is remembered, to answer 410 rather than 404."""

CLEANUP_SECONDS = 5.0
"""The bound on closing a token source, and on the last writes of a stream."""

REDIS_SOCKET_TIMEOUT = POLL_SECONDS + 4.0
"""No Redis command waits on the network longer than this."""

REDIS_MAX_CONNECTIONS = 4
"""Round trips in flight per worker (per event loop, and per node of a
cluster), each on a pooled connection; one more connection carries the signs
of life and one listens for wake-ups. The commands of many streams asked for
meanwhile wait and go together in the next round (``_redis_rounds``): fewer,
fuller pipelines cost the client less than many small ones."""

STOP_RECHECK = 5.0
"""Seconds between two looks of a producer at its stream's stop key. A stop
is heard at once (in process, or on Redis's pub/sub); this finds one whose
message was missed (sent before the worker's listener was subscribed; after
the listener reconnects it looks at once)."""

STOP_GRACE = 0.5
"""Seconds a stopped source has to end at its next token (see
``stopping.until_stopped``) before the producer stops it itself."""

STOP_WAIT = 2.0
"""Seconds the stop endpoint waits for the stream to end before it answers
202 (stopping) instead of 200 (stopped)."""
