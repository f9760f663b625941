"""One answer's life: its parts passed on and recorded, and ``on_finish``
called once with a ``FinishResult`` however it ended. When the client leaves,
the route's policy decides: ``"cancel"`` closes the source at once (the
provider request stops, and its billing), ``"finish"`` reads the answer to its
end so that ``on_finish`` gets all of it; either way within ``max_duration``.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Literal, Union

import anyio

from .finish import (
    FinishedToolCall,
    FinishOnce,
    FinishReason,
    FinishResult,
    OnFinish,
    Usage,
    answer_stopped,
)
from .parts import (
    ReasoningDelta,
    StreamPart,
    TextDelta,
    TokenSource,
    ToolCall,
    ToolCallDelta,
    ToolCalls,
    ToolCallStart,
    close_now,
)
from .response import server_is_shutting_down

__all__ = ["DEFAULT_MAX_DURATION", "AnswerTimeout", "OnDisconnect", "with_on_finish"]

OnDisconnect = Literal["cancel", "finish"]
"""What a route does with an answer whose client left: stop it, or finish it."""

DEFAULT_MAX_DURATION = 300.0
"""Seconds an answer may run, connected or not, before it is cut short."""

_Part = Union[str, StreamPart]


class AnswerTimeout(TimeoutError):
    """The answer ran longer than the route's ``max_duration``."""


def with_on_finish(
    source: TokenSource,
    on_finish: OnFinish | None,
    *,
    model: str | None = None,
    on_disconnect: OnDisconnect = "cancel",
    max_duration: float | None = DEFAULT_MAX_DURATION,
) -> AsyncIterator[_Part]:
    """``source``, recorded, with ``on_finish`` called once when it ends.

    The finish reason is ``completed`` when the source ended (also after the
    client left, with ``"finish"``), ``error`` when it raised, ``client-left``
    when the client left (``"cancel"``), ``stopped`` when the server shut
    down, and ``timeout`` after ``max_duration`` seconds: the source is closed
    and :class:`AnswerTimeout` raised (the encoders' error event). A complete
    answer's ``on_finish`` runs before the last event is sent, so a client
    told "done" finds the answer saved.
    """
    return _Answer(source, FinishOnce(on_finish), model, on_disconnect, max_duration)


class _Answer:
    """The token source's parts passed on, and kept for the finish result."""

    def __init__(
        self,
        source: TokenSource,
        finish: FinishOnce,
        model: str | None,
        on_disconnect: OnDisconnect,
        max_duration: float | None,
    ) -> None:
        self.parts = source.__aiter__()
        self._finish = finish
        self._model = model
        self._shield = on_disconnect == "finish"
        self._max_duration = max_duration
        self._started: float | None = None
        self._deadline = float("inf")
        self._first: float | None = None
        self._ended = False
        self._texts: list[str] = []
        self._reasoning: list[str] = []
        self._calls = ToolCalls()
        self._tool_calls: list[ToolCall] = []
        self._usage = Usage()

    def __aiter__(self) -> _Answer:
        return self

    def recorded_text(self) -> list[str]:
        """The pieces of text so far (``stream_tokens`` reads them, no copy)."""
        return self._texts

    def direct(self) -> _Answer | None:
        """This answer, for an encoder that reads ``parts`` and calls ``took``
        and ``ended`` itself (an async hop less per part: at many streams a
        share of CPU); None once read, or when its reads are shielded."""
        if self._shield or self._started is not None:
            return None
        self._start()
        return self

    async def __anext__(self) -> _Part:
        if self._ended:
            raise StopAsyncIteration
        if self._started is None:
            self._start()
        try:
            if self._shield:
                part = await self._shielded_read()
            else:
                part = await self.parts.__anext__()
        except StopAsyncIteration:
            await self.ended(failed=False)
            raise
        except Exception:
            await self.ended(failed=True)
            raise
        if self.took(part):
            await self.time_out()
        return part

    def took(self, part: _Part) -> bool:
        """Record a part; True, with nothing recorded, past the deadline."""
        # Checked as parts arrive: a deadline per read costs a timer per part.
        now = time.monotonic()
        if now >= self._deadline:
            return True
        if self._first is None:
            self._first = now
        if type(part) is str:
            self._texts.append(part)
        else:
            self._record(part)
        return False

    async def time_out(self) -> None:
        await self._close()
        await self._end("timeout")
        raise AnswerTimeout(f"The answer ran past {self._max_duration} seconds.")

    async def ended(self, failed: bool) -> None:
        """The source ended, or raised (``failed``)."""
        if failed:
            await self._end("error")
        else:
            await self._end("stopped" if answer_stopped() else "completed")

    async def _shielded_read(self) -> _Part:
        # "finish": the client leaving must not interrupt a read (the source
        # would be closed with it).
        with anyio.CancelScope(shield=True):
            return await self.parts.__anext__()
        raise AssertionError("a shield alone is never cancelled")

    def _start(self) -> None:
        self._started = time.monotonic()
        if self._max_duration is not None:
            self._deadline = self._started + self._max_duration

    def _record(self, part: _Part) -> None:
        if isinstance(part, str):
            self._texts.append(part)
        elif isinstance(part, TextDelta):
            self._texts.append(part.text)
        elif isinstance(part, ReasoningDelta):
            self._reasoning.append(part.text)
        elif isinstance(part, Usage):
            self._usage.update(part)
        elif isinstance(part, ToolCallStart):
            self._tool_calls.append(self._calls.start(part))
        elif isinstance(part, ToolCallDelta):
            self._calls.add(part)
        else:
            self._calls.end(part)

    async def aclose(self) -> None:
        """Called by the encoder when the stream ends: a source that has not
        ended yet is finished (``"finish"``) or closed (``"cancel"``)."""
        if self._ended:
            return
        if self._started is None:
            self._start()
        if server_is_shutting_down():
            await self._close()
            await self._end("stopped")
        elif self._shield:
            await self._end(await self._read_to_end())
        else:
            await self._close()
            await self._end("client-left")

    async def _read_to_end(self) -> FinishReason:
        """Record the rest of the answer, nobody reading: bounded by the
        deadline, and stopped when the server shuts down."""
        reason: FinishReason = "completed"
        with anyio.CancelScope(shield=True, deadline=self._deadline):
            try:
                async for part in self.parts:
                    self._record(part)
                    if server_is_shutting_down():
                        reason = "stopped"
                        break
            except Exception:
                reason = "error"
        if time.monotonic() >= self._deadline:
            reason = "timeout"
        await self._close()
        return reason

    async def _close(self) -> None:
        with anyio.CancelScope(shield=True):
            await close_now(self.parts)

    async def _end(self, reason: FinishReason) -> None:
        if self._ended:
            return
        self._ended = True
        now = time.monotonic()
        started = self._started or now
        result = FinishResult(
            text="".join(self._texts),
            reasoning="".join(self._reasoning),
            tool_calls=[
                FinishedToolCall(call.id, call.name, "".join(call.arguments))
                for call in self._tool_calls
            ],
            finish_reason=reason,
            usage=self._usage,
            model=self._model,
            time_to_first_token=None if self._first is None else self._first - started,
            duration=now - started,
        )
        await self._finish(result)
