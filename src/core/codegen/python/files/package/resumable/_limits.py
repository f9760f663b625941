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

PRODUCER_TTL = 10.0
"""Seconds a producer's sign of life lasts.

Readers that see neither new events nor a producer for this long end the
stream with an error instead of waiting for ever (the producing worker was
killed).
"""

MAX_EVENTS = 100_000
"""The events kept per stream (Redis XADD MAXLEN): a runaway source cannot
fill the store."""

BATCH_EVENTS = 256
"""The most events written to the store in one round trip."""

TOMBSTONE_SECONDS = 86_400.0
"""How long an expired stream is remembered, to answer 410 rather than 404."""

CLEANUP_SECONDS = 5.0
"""The bound on closing a token source, and on the last writes of a stream."""

REDIS_SOCKET_TIMEOUT = POLL_SECONDS + 4.0
"""No Redis command waits on the network longer than this."""

REDIS_MAX_CONNECTIONS = 16
"""Redis connections per worker (per event loop, and per node of a cluster)
for commands; one more listens for wake-ups. Every command is one short
round trip (no reader holds a connection while it waits), so a few serve a
thousand streams; more commands than this wait for a free one."""
