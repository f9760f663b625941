"""The signs of life of one worker's streams, gathered into one round trip.

Every open stream shows a sign of life every second or so: its reader's, and
its producer's lease, which a reader on another worker checks to tell a live
stream from a dead one. Sent one command each, a worker with a thousand
streams queued thousands of them a second behind its other commands, and
under load a lease could run out while its renewal waited: the stream was
taken for lost though its producer was fine. Here the renewals asked for
while one round trip is in flight gather into the next, sent on a connection
of their own (outside the commands' bound), so one worker renews all its
leases in one round trip however many streams it has.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from ._runner import start_background

Send = Callable[[tuple[tuple[object, ...], ...]], Awaitable[list[Any]]]
"""Sends commands in one round trip (the store's ``send``)."""


class _Round:
    """The renewals that go in one round trip, and its outcome."""

    def __init__(self) -> None:
        self.commands: dict[str, tuple[bytes, int]] = {}
        self.sent = anyio.Event()
        self.error: Exception | None = None


class Beats:
    """Sets ``key`` for ``ms`` milliseconds, many keys per round trip.

    One task per event loop sends the rounds, one at a time: what is asked
    for while a round is in flight goes in the next.
    """

    def __init__(self, send: Send) -> None:
        self._send = send
        self._next = _Round()
        self._waiting = anyio.Event()
        self._started = False

    async def beat(self, key: str, ms: int, value: bytes = b"1") -> None:
        """Set ``key`` to ``value`` with the next round trip; raises what that
        one raised."""
        if not self._started:
            self._started = True
            await start_background(self._sender)
        round_ = self._next
        round_.commands[key] = (value, ms)
        self._waiting.set()
        await round_.sent.wait()
        if round_.error is not None:
            raise round_.error

    async def _sender(self) -> None:
        """Send each round as the previous one is answered, until the loop ends.

        A failed round fails its callers (each then sees the store's loss),
        not the sender: the next round is tried afresh.
        """
        while True:
            await self._waiting.wait()
            self._waiting = anyio.Event()
            round_, self._next = self._next, _Round()
            commands = tuple(
                ("SET", key, value, "PX", ms)
                for key, (value, ms) in round_.commands.items()
            )
            try:
                await self._send(commands)
            except Exception as exc:
                round_.error = exc
            finally:
                round_.sent.set()
