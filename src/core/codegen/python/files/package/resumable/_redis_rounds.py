"""Many streams' commands gathered into few round trips.

A worker with hundreds of streams starting and writing at once would send a
pipeline per stream, and the client's cost is per pipeline far more than per
command (packing, parsing, timeouts: about 80 us for a pipeline of one
command, 9 us more per command, redis-py 8). Here the commands asked for
while every connection is busy, or in the same turn of the event loop, go
in one round trip: the first caller of a round sends it once a connection is
free, with every command added meanwhile, and each caller gets its replies.
An idle worker sends each command at once, as before. The signs of life
(leases, readers' beats) go the same way, in rounds of their own
(``Commands.run_apart``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio

Send = Callable[[tuple[tuple[object, ...], ...]], Awaitable[list[Any]]]
"""Sends commands in one round trip; a command's error is its reply."""


class _Round:
    """The commands that go in one round trip, and its outcome."""

    def __init__(self) -> None:
        self.commands: list[tuple[object, ...]] = []
        self.done = anyio.Event()
        self.replies: list[Any] = []
        self.error: Exception | None = None


class Rounds:
    """Sends commands in rounds, at most ``most`` rounds in flight at once."""

    def __init__(self, send: Send, most: int) -> None:
        self._send = send
        self._slots = anyio.CapacityLimiter(most)
        self._next: _Round | None = None

    async def run(self, commands: tuple[tuple[object, ...], ...]) -> list[Any]:
        """The replies to ``commands``; raises what their round trip raised."""
        round_ = self._next
        leads = round_ is None
        if round_ is None:
            round_ = self._next = _Round()
        start = len(round_.commands)
        round_.commands.extend(commands)
        # Shielded: the other callers of the round wait for it to be sent.
        with anyio.CancelScope(shield=leads):
            if leads:
                await self._lead(round_)
            else:
                await round_.done.wait()
        if round_.error is not None:
            raise round_.error
        return round_.replies[start : start + len(commands)]

    async def _lead(self, round_: _Round) -> None:
        async with self._slots:
            # Waiting for the slot let others add theirs; no more now.
            self._next = None
            try:
                round_.replies = await self._send(tuple(round_.commands))
            except Exception as exc:
                round_.error = exc
            finally:
                round_.done.set()
