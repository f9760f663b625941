"""Text tokens (and typed parts) as SSE events, each the moment it arrives."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Protocol, runtime_checkable

from .events import error_fields, format_sse, json_dumps
from .finish import Usage, answer_stopped
from .parts import (
    ReasoningDelta,
    StreamPart,
    TextDelta,
    TokenSource,
    ToolCall,
    ToolCallDelta,
    ToolCallEnd,
    ToolCalls,
    ToolCallStart,
    close_now,
)

__all__ = ["stream_tokens"]

# A token event is written around the JSON string of the token: serialising a
# bare string is much faster than serialising {"text": token}, same bytes.
_TOKEN_EVENT_START = b'event: token\ndata: {"text":'
_TOKEN_EVENT_END = b"}\n\n"

_logger = logging.getLogger(__name__)


@runtime_checkable
class _Answer(Protocol):
    """``with_on_finish``'s answer: it keeps the text, and is read directly."""

    parts: AsyncIterator[str | StreamPart]

    def recorded_text(self) -> list[str]: ...
    def direct(self) -> _Answer | None: ...
    def took(self, part: str | StreamPart) -> bool: ...
    async def time_out(self) -> None: ...
    async def ended(self, failed: bool) -> None: ...


async def stream_tokens(
    token_generator: TokenSource,
    *,
    include_done: bool = True,
    expose_errors: bool = False,
) -> AsyncIterator[bytes]:
    """Stream text tokens as SSE events, each the moment it arrives.

    Events: ``token`` ``{"text"}`` per piece of text (``str``, ``TextDelta``);
    ``reasoning`` ``{"text"}`` per ``ReasoningDelta``; ``tool_call`` ``{"id",
    "name", "input"}`` once a call ended (arguments that are not JSON come raw
    as ``"arguments"``); ``done`` ``{"text", "token_count", "finish_reason"}``
    (and ``"usage"`` when the provider reported it) if ``include_done`` (which
    keeps the text); ``error`` ``{"type", "message"}`` if the generator raises,
    the message generic (the exception goes to the server log) unless
    ``expose_errors``. The generator is closed when the stream ends for any
    reason, the client leaving included, so the upstream request stops.
    """
    parts: list[str] = []
    keep_text = include_done
    answer = None
    if isinstance(token_generator, _Answer):
        parts, keep_text = token_generator.recorded_text(), False
        answer = token_generator.direct()
    calls = ToolCalls()
    usage = Usage()
    try:
        async for token in token_generator if answer is None else answer.parts:
            if answer is not None and answer.took(token):
                await answer.time_out()
            if isinstance(token, str):
                text = token
            elif isinstance(token, TextDelta):
                text = token.text
            else:
                event = _part_event(token, calls, usage)
                if event is not None:
                    yield event
                continue
            if keep_text:
                parts.append(text)
            yield _TOKEN_EVENT_START + json_dumps(text) + _TOKEN_EVENT_END
        if answer is not None:
            await answer.ended(failed=False)
        for call in calls.drain():
            yield _tool_call_event(call)
    except Exception as exc:
        if answer is not None:
            await answer.ended(failed=True)
        _logger.exception("Token stream failed; sending an error event")
        yield format_sse("error", error_fields(exc, expose_errors))
        return
    finally:
        await close_now(token_generator)
    if include_done:
        done: dict[str, object] = {
            "text": "".join(parts),
            "token_count": len(parts),
            "finish_reason": "stopped" if answer_stopped() else "completed",
        }
        figures = usage.reported()
        if figures:
            done["usage"] = figures
        yield format_sse("done", done)


def _tool_call_event(call: ToolCall) -> bytes:
    ok, value = call.parsed_arguments()
    data = {"id": call.id, "name": call.name, ("input" if ok else "arguments"): value}
    return format_sse("tool_call", data)


def _part_event(part: StreamPart, calls: ToolCalls, usage: Usage) -> bytes | None:
    """The event for a part other than text, if it has one."""
    if isinstance(part, Usage):
        usage.update(part)
    elif isinstance(part, ReasoningDelta):
        return format_sse("reasoning", {"text": part.text})
    elif isinstance(part, ToolCallStart):
        calls.start(part)
    elif isinstance(part, ToolCallDelta):
        calls.add(part)
    elif isinstance(part, ToolCallEnd):
        call = calls.end(part)
        if call is not None:
            return _tool_call_event(call)
    return None
