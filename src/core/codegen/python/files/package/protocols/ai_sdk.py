"""The Vercel AI SDK's UI message stream (protocol v1) and the body of
``useChat``'s requests."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Literal

from pydantic import BaseModel, StrictStr

from ..events import error_fields, json_dumps
from ..finish import Usage, answer_stopped
from ..parts import (
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
from ..response import DEFAULT_PING_INTERVAL, EventStreamResponse, streaming_response
from ._common import DONE_EVENT, Conversation, OptionalText, data_event

__all__ = [
    "UI_MESSAGE_STREAM_HEADERS",
    "UIChatRequest",
    "UIMessage",
    "UIMessagePart",
    "ui_message_stream",
    "ui_message_stream_response",
]

UI_MESSAGE_STREAM_HEADERS: Mapping[str, str] = {
    # How useChat's default transport knows the body is a UI message stream.
    "x-vercel-ai-ui-message-stream": "v1",
}

_DELTA_END = b"}\n\n"

_logger = logging.getLogger(__name__)


async def ui_message_stream(
    source: TokenSource,
    *,
    message_id: str | None = None,
    model: str | None = None,
    expose_errors: bool = False,
) -> AsyncIterator[bytes]:
    """Stream a token source as the Vercel AI SDK's UI message stream (v1).

    What ``useChat`` (its default transport) and ``readUIMessageStream``
    read: data-only SSE events, each a JSON object with a ``type``:

    - ``start`` (with ``messageId`` when ``message_id`` is given, and
      ``messageMetadata`` ``{"model"}`` when ``model`` is);
    - a run of text as ``text-start``, ``text-delta`` (``delta``) per piece,
      ``text-end``, all with the same ``id``; reasoning the same way with
      ``reasoning-start``/``-delta``/``-end``; a new run starts whenever the
      kind changes;
    - a tool call as ``tool-input-start`` (``toolCallId``, ``toolName``),
      ``tool-input-delta`` (``inputTextDelta``) per fragment, and when it
      ends ``tool-input-available`` with the parsed ``input`` (or
      ``tool-input-error`` with the raw text when it is not JSON);
    - ``finish`` with ``messageMetadata`` ``{"finishReason": "completed"}``,
      plus ``usage`` (the figures the source's ``Usage`` parts reported, as
      ``inputTokens``, ``outputTokens``, ``cachedInputTokens`` and
      ``reasoningTokens``) and ``model`` when known; ``useChat`` merges the
      start's and finish's ``messageMetadata`` into the message's
      ``metadata``; then ``data: [DONE]``.

    If the source raises, the open run is ended, an ``error`` event
    (``errorText``: a generic message unless ``expose_errors``) is sent, then
    ``[DONE]`` without ``finish``, as the AI SDK itself does. Send it with
    :func:`ui_message_stream_response`, which adds the protocol's header.
    """
    start: dict[str, object] = {"type": "start"}
    if message_id is not None:
        start["messageId"] = message_id
    if model is not None:
        start["messageMetadata"] = {"model": model}
    yield data_event(start)
    calls = ToolCalls()
    usage = Usage()
    # The run of text or reasoning in progress: its kind, its id, and the
    # bytes that start each of its deltas (written once per run, not per delta).
    kind = ""
    run_id = ""
    delta_head = b""
    runs = 0
    try:
        async for part in source:
            if isinstance(part, str):
                text = part
                part_kind = "text"
            elif isinstance(part, TextDelta):
                text = part.text
                part_kind = "text"
            elif isinstance(part, ReasoningDelta):
                text = part.text
                part_kind = "reasoning"
            elif isinstance(part, Usage):
                usage.update(part)
                continue
            else:
                if kind:
                    yield data_event({"type": f"{kind}-end", "id": run_id})
                    kind = ""
                event = _tool_event(part, calls)
                if event is not None:
                    yield event
                continue
            if part_kind != kind:
                if kind:
                    yield data_event({"type": f"{kind}-end", "id": run_id})
                runs += 1
                kind = part_kind
                run_id = f"{kind}-{runs}"
                yield data_event({"type": f"{kind}-start", "id": run_id})
                delta_head = _delta_head(f"{kind}-delta", run_id)
            yield delta_head + json_dumps(text) + _DELTA_END
        if kind:
            yield data_event({"type": f"{kind}-end", "id": run_id})
            kind = ""
        for call in calls.drain():
            yield _tool_available(call)
    except Exception as exc:
        _logger.exception("Token stream failed; sending an error chunk")
        if kind:
            yield data_event({"type": f"{kind}-end", "id": run_id})
        error_text = error_fields(exc, expose_errors)["message"]
        yield data_event({"type": "error", "errorText": error_text})
        yield DONE_EVENT
        return
    finally:
        await close_now(source)
    yield data_event(
        {"type": "finish", "messageMetadata": _finish_metadata(usage, model)}
    )
    yield DONE_EVENT


# Usage's names in the AI SDK's own spelling (its LanguageModelUsage).
_USAGE_NAMES = {
    "input_tokens": "inputTokens",
    "output_tokens": "outputTokens",
    "cached_input_tokens": "cachedInputTokens",
    "reasoning_tokens": "reasoningTokens",
}


def _finish_metadata(usage: Usage, model: str | None) -> dict[str, object]:
    reason = "stopped" if answer_stopped() else "completed"
    metadata: dict[str, object] = {"finishReason": reason}
    figures = usage.reported()
    if figures:
        metadata["usage"] = {_USAGE_NAMES[key]: n for key, n in figures.items()}
    if model is not None:
        metadata["model"] = model
    return metadata


def _delta_head(chunk_type: str, run_id: str) -> bytes:
    """``data: {"type":...,"id":...,"delta":`` for the deltas of one run."""
    head = json_dumps({"type": chunk_type, "id": run_id})[:-1]
    return b"data: " + head + b',"delta":'


def _tool_available(call: ToolCall) -> bytes:
    ok, value = call.parsed_arguments()
    chunk_type = "tool-input-available" if ok else "tool-input-error"
    chunk = {
        "type": chunk_type,
        "toolCallId": call.id,
        "toolName": call.name,
        "input": value,
    }
    if not ok:
        chunk["errorText"] = "The tool call's arguments are not valid JSON."
    return data_event(chunk)


def _tool_event(part: StreamPart, calls: ToolCalls) -> bytes | None:
    if isinstance(part, ToolCallStart):
        calls.start(part)
        return data_event(
            {"type": "tool-input-start", "toolCallId": part.id, "toolName": part.name}
        )
    if isinstance(part, ToolCallDelta):
        if calls.add(part) is None:
            return None
        return data_event(
            {
                "type": "tool-input-delta",
                "toolCallId": part.id,
                "inputTextDelta": part.arguments,
            }
        )
    if isinstance(part, ToolCallEnd):
        call = calls.end(part)
        return None if call is None else _tool_available(call)
    return None


def ui_message_stream_response(
    source: TokenSource,
    *,
    message_id: str | None = None,
    model: str | None = None,
    expose_errors: bool = False,
    headers: Mapping[str, str] | None = None,
    ping_interval: float | None = DEFAULT_PING_INTERVAL,
) -> EventStreamResponse:
    """:func:`ui_message_stream` as a response, with its protocol header.

    ``x-vercel-ai-ui-message-stream: v1`` is added to ``headers``; keep-alive
    comments, closing on disconnect and shutdown are those of
    ``EventStreamResponse``.
    """
    return streaming_response(
        ui_message_stream(
            source, message_id=message_id, model=model, expose_errors=expose_errors
        ),
        headers={**UI_MESSAGE_STREAM_HEADERS, **(headers or {})},
        ping_interval=ping_interval,
    )


class UIMessagePart(BaseModel):
    """A part of a UI message: ``{"type": "text", "text": ...}`` or another."""

    type: StrictStr
    text: OptionalText = None


class UIMessage(BaseModel):
    """A message of the AI SDK's chat: its text is in its ``text`` parts."""

    id: StrictStr = ""
    role: Literal["system", "user", "assistant"]
    parts: list[UIMessagePart]

    def text(self) -> str:
        return "".join(part.text or "" for part in self.parts if part.type == "text")


class UIChatRequest(Conversation, BaseModel):
    """The body ``useChat``'s default transport posts (AI SDK 5 and later)."""

    id: StrictStr = ""
    messages: list[UIMessage]
    trigger: StrictStr = ""

    def _turns(self) -> Iterable[tuple[str, str]]:
        return ((message.role, message.text()) for message in self.messages)
