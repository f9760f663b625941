"""Anthropic Messages streams as text tokens, or as text, thinking and tool
calls."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from contextlib import AbstractAsyncContextManager
from typing import Union

from ..finish import Usage
from ..parts import (
    ReasoningDelta,
    StreamPart,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallStart,
)
from ._adapter import (
    AsyncEventStream,
    Part,
    TypedEvent,
    int_attr,
    parts,
    parts_from_manager,
    str_attr,
    texts,
    texts_from_manager,
)

__all__ = ["anthropic_stream_parts", "anthropic_text_stream"]

_AnthropicStream = Union[
    AsyncEventStream[TypedEvent],
    Awaitable[AsyncEventStream[TypedEvent]],
    AbstractAsyncContextManager[AsyncEventStream[TypedEvent]],
]


def _anthropic_text(event: TypedEvent) -> str | None:
    # Only "content_block_delta" events carry text, and only when their delta
    # is a "text_delta"; the others (message_start, content_block_start,
    # content_block_stop, message_delta, message_stop, ping, tool-input and
    # thinking deltas) are not part of the answer's text. Their other fields
    # depend on "type", hence getattr rather than a wider Protocol.
    if event.type != "content_block_delta":
        return None
    delta = getattr(event, "delta", None)
    if getattr(delta, "type", None) != "text_delta":
        return None
    text = getattr(delta, "text", None)
    return text if isinstance(text, str) else None


def anthropic_text_stream(stream: _AnthropicStream) -> AsyncIterator[str]:
    """The text tokens of an Anthropic Messages stream.

    ``stream`` is ``client.messages.create(..., stream=True)``, best not yet
    awaited (it is awaited on the first read, so a failure to open the stream
    becomes an ``error`` event), or what awaiting it returns, or
    ``client.messages.stream(...)`` itself (not yet entered: it is entered
    here). Example::

        stream = client.messages.create(
            model=..., max_tokens=1024, messages=messages, stream=True
        )
        return streaming_response(stream_tokens(anthropic_text_stream(stream)))

    The provider stream is closed when the tokens end for any reason,
    including the client going away, so the request stops and with it the
    billing.
    """
    # An SDK stream is an async context manager too: test for the stream first.
    if not isinstance(stream, AsyncEventStream) and isinstance(
        stream, AbstractAsyncContextManager
    ):
        return texts_from_manager(stream, _anthropic_text)
    return texts(stream, _anthropic_text)


def _anthropic_usage(event: TypedEvent) -> Usage | None:
    # message_start has the message's usage so far (the input tokens),
    # message_delta the cumulative counts and the stop reason ("Streaming
    # Messages"). input_tokens leaves out the cached tokens: Usage counts the
    # whole prompt, as OpenAI does.
    reason = None
    if event.type == "message_start":
        usage = getattr(getattr(event, "message", None), "usage", None)
    elif event.type == "message_delta":
        usage = getattr(event, "usage", None)
        reason = str_attr(getattr(event, "delta", None), "stop_reason")
    else:
        return None
    fresh = int_attr(usage, "input_tokens")
    written = int_attr(usage, "cache_creation_input_tokens") or 0
    cached = int_attr(usage, "cache_read_input_tokens")
    details = getattr(usage, "output_tokens_details", None)
    return Usage(
        input_tokens=None if fresh is None else fresh + written + (cached or 0),
        output_tokens=int_attr(usage, "output_tokens"),
        cached_input_tokens=cached,
        reasoning_tokens=int_attr(details, "thinking_tokens"),
        finish_reasons=[reason] if reason else [],
    )


class _AnthropicParts:
    """Anthropic Messages events -> parts, remembering which block is a tool call.

    ``content_block_start`` of a ``tool_use`` block starts a call (its ``id``
    and ``name``), its ``input_json_delta`` s are the arguments, and its
    ``content_block_stop`` ends it; ``text_delta`` is text, ``thinking_delta``
    reasoning. ``message_start`` and ``message_delta`` give ``Usage``;
    ``signature_delta`` (the thinking block's signature) and the other events
    carry nothing to stream.
    """

    def __init__(self) -> None:
        self._tool_blocks: dict[int, str] = {}

    def __call__(self, event: TypedEvent) -> list[Part]:
        index = getattr(event, "index", None)
        if event.type == "content_block_delta":
            delta = getattr(event, "delta", None)
            delta_type = getattr(delta, "type", None)
            if delta_type == "text_delta":
                text = str_attr(delta, "text")
                return [text] if text else []
            if delta_type == "thinking_delta":
                thinking = str_attr(delta, "thinking")
                return [ReasoningDelta(thinking)] if thinking else []
            if delta_type == "input_json_delta" and isinstance(index, int):
                call_id = self._tool_blocks.get(index)
                partial = str_attr(delta, "partial_json")
                if call_id is not None and partial:
                    return [ToolCallDelta(call_id, partial)]
            return []
        if event.type == "content_block_start" and isinstance(index, int):
            block = getattr(event, "content_block", None)
            call_id = str_attr(block, "id")
            name = str_attr(block, "name")
            if getattr(block, "type", None) == "tool_use" and call_id and name:
                self._tool_blocks[index] = call_id
                return [ToolCallStart(call_id, name)]
            return []
        if event.type == "content_block_stop" and isinstance(index, int):
            call_id = self._tool_blocks.pop(index, None)
            return [] if call_id is None else [ToolCallEnd(call_id)]
        usage = _anthropic_usage(event)
        return [] if usage is None else [usage]


def anthropic_stream_parts(stream: _AnthropicStream) -> AsyncIterator[str | StreamPart]:
    """The text, thinking and tool calls of an Anthropic Messages stream.

    Accepts what :func:`anthropic_text_stream` accepts. Yields the answer's
    text as ``str``, extended thinking (``thinking_delta``) as
    ``ReasoningDelta``, and each ``tool_use`` block as ``ToolCallStart``, a
    ``ToolCallDelta`` per ``input_json_delta`` and ``ToolCallEnd``, and the
    provider's token counts as ``Usage``. The provider stream is closed when
    the parts end for any reason, including the client going away.
    """
    if not isinstance(stream, AsyncEventStream) and isinstance(
        stream, AbstractAsyncContextManager
    ):
        return parts_from_manager(stream, _AnthropicParts())
    return parts(stream, _AnthropicParts())
