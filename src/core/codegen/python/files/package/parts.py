"""What a token source yields: text, or typed parts (reasoning, tool calls,
the provider's ``Usage`` reports); the tool calls of a stream while they are
open; closing a source the moment its stream ends."""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterable, Awaitable
from dataclasses import dataclass, field
from typing import Any, Protocol, Union, runtime_checkable

from .finish import Usage

__all__ = [
    "ReasoningDelta",
    "StreamPart",
    "TextDelta",
    "TokenSource",
    "ToolCallDelta",
    "ToolCallEnd",
    "ToolCallStart",
]


@dataclass(frozen=True)
class TextDelta:
    """A piece of the answer's text (a plain ``str`` means the same)."""

    text: str


@dataclass(frozen=True)
class ReasoningDelta:
    """A piece of the model's reasoning (thinking, or a summary of it)."""

    text: str


@dataclass(frozen=True)
class ToolCallStart:
    """The model starts calling tool ``name``; ``id`` names this call."""

    id: str
    name: str


@dataclass(frozen=True)
class ToolCallDelta:
    """A fragment of the JSON arguments of the tool call ``id``."""

    id: str
    arguments: str


@dataclass(frozen=True)
class ToolCallEnd:
    """The arguments of the tool call ``id`` are complete."""

    id: str


StreamPart = Union[
    TextDelta, ReasoningDelta, ToolCallStart, ToolCallDelta, ToolCallEnd, Usage
]
"""A typed piece of a model's output, or the provider's usage report."""

TokenSource = AsyncIterable[Union[str, StreamPart]]
"""What the encoders read: text (``str``, a text delta) or typed parts."""


@dataclass
class ToolCall:
    """A tool call being streamed: its arguments are kept until it ends."""

    id: str
    name: str
    index: int
    arguments: list[str] = field(default_factory=lambda: [])

    def parsed_arguments(self) -> tuple[bool, Any]:
        """``(True, value)`` for JSON arguments (none at all is ``{}``), else
        ``(False, raw)``."""
        raw = "".join(self.arguments)
        if not raw.strip():
            return True, {}
        try:
            return True, json.loads(raw)
        except ValueError:
            return False, raw


class ToolCalls:
    """The tool calls of one stream that have started and not yet ended (a
    source that never ends its calls gets them ended by ``drain``)."""

    def __init__(self) -> None:
        self._open: dict[str, ToolCall] = {}
        self.started = 0

    def start(self, part: ToolCallStart) -> ToolCall:
        call = ToolCall(part.id, part.name, self.started)
        self.started += 1
        self._open[part.id] = call
        return call

    def add(self, part: ToolCallDelta) -> ToolCall | None:
        """The open call the fragment belongs to (None for an unknown id)."""
        call = self._open.get(part.id)
        if call is not None:
            call.arguments.append(part.arguments)
        return call

    def end(self, part: ToolCallEnd) -> ToolCall | None:
        return self._open.pop(part.id, None)

    def drain(self) -> list[ToolCall]:
        """End every call still open, in the order they started."""
        calls = list(self._open.values())
        self._open.clear()
        return calls


@runtime_checkable
class _SupportsAclose(Protocol):
    def aclose(self) -> Awaitable[object]: ...


async def close_now(source: object) -> None:
    """Close a source or provider stream now, not when garbage collected:
    ``aclose()`` where it has one (LiteLLM's sync ``close()`` would leave its
    connection open), else ``close()``, awaited when async (the SDKs')."""
    if isinstance(source, _SupportsAclose):
        await source.aclose()
        return
    close = getattr(source, "close", None)
    if callable(close):
        closing = close()
        if inspect.isawaitable(closing):
            await closing
