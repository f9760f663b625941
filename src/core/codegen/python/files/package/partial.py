"""Concurrent operations, each result streamed as an SSE event as it completes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import anyio
from anyio.abc import ObjectSendStream
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from .events import error_fields, format_sse
from .parts import close_now

__all__ = ["stream_partial_results"]

_logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Result:
    index: int
    value: Any


@dataclass(frozen=True)
class _Failure:
    index: int
    error: Exception


async def _run_operation(
    index: int,
    operation: Awaitable[Any] | AsyncIterable[Any],
    outcomes: ObjectSendStream[_Result | _Failure],
) -> None:
    """Run one operation, sending each result or its failure, then close."""
    async with outcomes:
        try:
            if isinstance(operation, AsyncIterable):
                try:
                    async for item in operation:
                        await outcomes.send(_Result(index, item))
                finally:
                    await close_now(operation)
            else:
                await outcomes.send(_Result(index, await operation))
        except Exception as exc:
            _logger.exception("Operation %d failed; sending an error event", index)
            await outcomes.send(_Failure(index, exc))


async def stream_partial_results(
    operations: Sequence[Awaitable[Any] | AsyncIterable[Any]],
    merge_results: Callable[[list[Any]], Any] | None = None,
    *,
    expose_errors: bool = False,
) -> AsyncIterator[bytes]:
    """Run operations concurrently and stream each result as it completes.

    ``operations`` are awaitables (one result each) or async iterables (a
    result per item, e.g. an LLM's partial outputs). They all start at once,
    in one task group; results are streamed in completion order, so a fast
    operation is not held back by a slow one listed before it.

    Events:

    - ``partial`` ``{"index": i, "result": r}`` per result, ``i`` being the
      operation's position in ``operations``;
    - ``error`` ``{"index": i, "type": ..., "message": ...}`` for an operation
      that raises (a generic message unless ``expose_errors``); the others go
      on;
    - ``done`` ``{"result": merge_results(results)}`` at the end when
      ``merge_results`` is given; it receives the successful results in the
      order of ``operations`` (an iterable's items in the order it yielded
      them).

    Pending operations are cancelled, and iterables closed, when the client
    goes away.
    """
    # A bounded stream makes a fast iterable wait for the client instead of
    # piling results up in memory.
    streams: tuple[
        MemoryObjectSendStream[_Result | _Failure],
        MemoryObjectReceiveStream[_Result | _Failure],
    ] = anyio.create_memory_object_stream(max(1, len(operations)))
    sender, receive = streams
    collected: list[list[Any]] = [[] for _ in operations]
    async with receive, anyio.create_task_group() as task_group:
        async with sender:
            for index, operation in enumerate(operations):
                task_group.start_soon(_run_operation, index, operation, sender.clone())
        # Ends when every operation has closed its clone of the send stream.
        async for outcome in receive:
            if isinstance(outcome, _Failure):
                failure = {
                    "index": outcome.index,
                    **error_fields(outcome.error, expose_errors),
                }
                yield format_sse("error", failure)
            else:
                if merge_results is not None:
                    collected[outcome.index].append(outcome.value)
                result = {"index": outcome.index, "result": outcome.value}
                yield format_sse("partial", result)
    if merge_results is not None:
        merged = merge_results([value for values in collected for value in values])
        yield format_sse("done", {"result": merged})
