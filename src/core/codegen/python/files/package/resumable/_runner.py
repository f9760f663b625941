"""A task group that outlives requests, for the tasks that produce streams.

A resumable stream's producer must go on after the request that started it
has been answered, and anyio runs a task only inside a task group, which
lives as long as the ``async with`` block that opened it: the request's own
would end with the response. So each event loop gets one task group of its
own, opened by a host task that waits for ever, and producers are started in
it from any request.

Starting that host task is the one thing here that is not anyio: anyio has
no way to start a task that outlives its caller, so it is made with asyncio's
``create_task`` (the loop uvicorn and other ASGI servers run FastAPI on). The
task group inside it is anyio's, and so is everything the producers do. When
the server stops, the loop cancels the host task, the group cancels every
producer, and each producer still closes its source and ends its stream.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import anyio
from anyio.abc import TaskGroup
from anyio.lowlevel import RunVar

_logger = logging.getLogger(__name__)


class _Runner:
    """The host task of one event loop and the task group it keeps open."""

    def __init__(self) -> None:
        self.ready = anyio.Event()
        self.group: TaskGroup | None = None
        # The event loop keeps only weak references to tasks: this one is
        # held here, for as long as the loop runs.
        self.host: asyncio.Task[None] | None = None

    async def host_group(self) -> None:
        async with anyio.create_task_group() as group:
            self.group = group
            self.ready.set()
            await anyio.sleep_forever()


# One runner per event loop: a test client, for one, runs each app in a
# loop of its own, and a task group belongs to the loop it was opened in.
_runner: RunVar[_Runner] = RunVar("catalyst_resumable_runner")


async def _guarded(job: Callable[[], Awaitable[None]]) -> None:
    """Runs ``job``; a failure is logged and stays its own, not the group's.

    An exception leaving a task cancels its whole task group: here that would
    be every other stream of the process.
    """
    try:
        await job()
    except Exception:
        _logger.exception("A resumable stream's producer failed")


async def start_background(job: Callable[[], Awaitable[None]]) -> None:
    """Starts ``job`` in a task that goes on after the current request ends."""
    runner = _runner.get(None)
    if runner is None or (runner.host is not None and runner.host.done()):
        # The first stream of this loop, or the first after the group ended.
        runner = _Runner()
        _runner.set(runner)
        runner.host = asyncio.get_running_loop().create_task(runner.host_group())
    await runner.ready.wait()
    if runner.group is None:  # pragma: no cover - set before ready
        raise RuntimeError("the background task group did not start")
    runner.group.start_soon(_guarded, job)
