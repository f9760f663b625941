"""The end of an answer, as a route's ``on_finish`` hook receives it once:
what was said, why it ended, and what it cost (``Usage``, the provider's own
count of tokens, which the provider adapters yield as parts)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Literal

import anyio

__all__ = [
    "FinishOnce",
    "FinishReason",
    "FinishResult",
    "FinishedToolCall",
    "OnFinish",
    "Usage",
]

_logger = logging.getLogger(__name__)

FinishReason = Literal["completed", "stopped", "client-left", "error", "timeout"]
"""Why an answer ended: it was complete; it was stopped (a stop request, or
the server shutting down); its client left and the route cancels then; the
token source failed; it ran longer than the route allows."""

_USAGE_KEYS = (
    "input_tokens",
    "output_tokens",
    "cached_input_tokens",
    "reasoning_tokens",
)


@dataclass
class Usage:
    """Tokens as the provider counted them; None where it did not say.

    ``input_tokens`` counts the whole prompt, cached tokens included (for
    Anthropic: ``input_tokens`` plus both cache counts); ``cached_input_tokens``
    is the part read from the provider's cache; ``reasoning_tokens`` the part
    of ``output_tokens`` spent reasoning. ``finish_reasons`` are the
    provider's own (``stop``, ``length``, ``end_turn``...). Later reports
    update earlier ones (the providers' counts are cumulative).
    """

    input_tokens: int | None = None
    output_tokens: int | None = None
    cached_input_tokens: int | None = None
    reasoning_tokens: int | None = None
    finish_reasons: list[str] = field(default_factory=lambda: [])

    def update(self, report: Usage) -> None:
        """Take the figures ``report`` has; keep the others."""
        for key in _USAGE_KEYS:
            value = getattr(report, key)
            if value is not None:
                setattr(self, key, value)
        for reason in report.finish_reasons:
            if reason not in self.finish_reasons:
                self.finish_reasons.append(reason)

    def reported(self) -> dict[str, int]:
        """The figures the provider reported, by name (none: empty)."""
        figures = {key: getattr(self, key) for key in _USAGE_KEYS}
        return {key: value for key, value in figures.items() if value is not None}


@dataclass(frozen=True)
class FinishedToolCall:
    """A tool call of the answer: its arguments as the model wrote them."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class FinishResult:
    """One finished answer, as ``on_finish`` receives it.

    ``text`` and ``reasoning`` are what the source produced (the part before
    the end when it was cut short); ``model`` the model the route names;
    ``time_to_first_token`` seconds from the start to the first part (None
    when nothing came) and ``duration`` seconds from the start to the end.
    """

    text: str
    reasoning: str
    tool_calls: list[FinishedToolCall]
    finish_reason: FinishReason
    usage: Usage
    model: str | None
    time_to_first_token: float | None
    duration: float


OnFinish = Callable[[FinishResult], Awaitable[None]]
"""The app's hook: an async function given each finished answer."""


class FinishOnce:
    """Calls an ``on_finish`` hook at most once, whatever calls it how often.

    The call is shielded from cancellation (the client leaving must not cut
    a save short), and an exception inside the hook is logged: it never
    reaches the client, nor the stream that finished.
    """

    def __init__(self, on_finish: OnFinish | None) -> None:
        self._on_finish = on_finish
        self.called = False

    async def __call__(self, result: FinishResult) -> None:
        if self.called:
            return
        self.called = True
        if self._on_finish is None:
            return
        with anyio.CancelScope(shield=True):
            try:
                await self._on_finish(result)
            except Exception:
                _logger.exception(
                    "on_finish failed (finish reason %s); the answer itself "
                    "was not affected",
                    result.finish_reason,
                )


_stop: ContextVar[anyio.Event | None] = ContextVar("catalyst_stop", default=None)


def set_stop_signal(signal: anyio.Event) -> None:
    """The stop of the answer made in this task (a resumable stream's)."""
    _stop.set(signal)


def answer_stopped() -> bool:
    """Whether a stop of the answer being made in this task was asked for."""
    signal = _stop.get()
    return signal is not None and signal.is_set()
