"""OpenAI streams as text tokens, or as text, reasoning and tool calls: Chat
Completions (OpenAI, Azure OpenAI, Groq, LiteLLM and other compatible APIs)
and the Responses API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Sequence
from typing import Protocol, Union, cast

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
    str_attr,
    texts,
)

__all__ = [
    "ProviderStreamError",
    "openai_responses_stream_parts",
    "openai_responses_text_stream",
    "openai_stream_parts",
    "openai_text_stream",
]


class ProviderStreamError(RuntimeError):
    """A failure the provider reported inside a stream, as an ordinary event."""


class _ChatCompletionDelta(Protocol):
    @property
    def content(self) -> str | None: ...


class _ChatCompletionChoice(Protocol):
    @property
    def delta(self) -> _ChatCompletionDelta: ...


class _ChatCompletionChunk(Protocol):
    @property
    def choices(self) -> Sequence[_ChatCompletionChoice]: ...


_ChatCompletionStream = Union[
    AsyncEventStream[_ChatCompletionChunk],
    Awaitable[AsyncEventStream[_ChatCompletionChunk]],
]
_ResponsesStream = Union[
    AsyncEventStream[TypedEvent],
    Awaitable[AsyncEventStream[TypedEvent]],
]


def _chat_completion_text(chunk: _ChatCompletionChunk) -> str | None:
    # The last chunk has no choices when usage is requested, and neither do
    # Azure's content-filter chunks.
    return chunk.choices[0].delta.content if chunk.choices else None


def openai_text_stream(stream: _ChatCompletionStream) -> AsyncIterator[str]:
    """The text tokens of an OpenAI (or Azure OpenAI, Groq or LiteLLM) chat stream.

    ``stream`` is ``client.chat.completions.create(..., stream=True)`` or
    ``litellm.acompletion(..., stream=True)``, best not yet awaited (it is
    awaited on the first read, so a failure to open the stream becomes an
    ``error`` event), or what awaiting it returns; each chunk's text is
    ``choices[0].delta.content``. Example::

        stream = client.chat.completions.create(
            model=..., messages=messages, stream=True
        )
        return streaming_response(stream_tokens(openai_text_stream(stream)))

    The provider stream is closed when the tokens end for any reason,
    including the client going away.
    """
    return texts(stream, _chat_completion_text)


def _responses_text(event: TypedEvent) -> str | None:
    if event.type == "response.output_text.delta":
        delta = getattr(event, "delta", None)
        return delta if isinstance(delta, str) else None
    if event.type in ("error", "response.failed"):
        # The SDK yields these like any other event rather than raising: without
        # raising here the answer would end with "done", as if it were complete.
        error = getattr(getattr(event, "response", None), "error", None) or event
        message = getattr(error, "message", None)
        raise ProviderStreamError(message if isinstance(message, str) else event.type)
    return None


def openai_responses_text_stream(stream: _ResponsesStream) -> AsyncIterator[str]:
    """The text tokens of an OpenAI Responses API stream.

    ``stream`` is ``client.responses.create(..., stream=True)``, best not yet
    awaited (it is awaited on the first read, so a failure to open the stream
    becomes an ``error`` event), or what awaiting it returns; text arrives in
    the ``delta`` of ``response.output_text.delta`` events. An ``error`` or
    ``response.failed`` event raises :class:`ProviderStreamError`. Example::

        stream = client.responses.create(model=..., input=prompt, stream=True)
        return streaming_response(
            stream_tokens(openai_responses_text_stream(stream))
        )

    The provider stream is closed when the tokens end for any reason,
    including the client going away.
    """
    return texts(stream, _responses_text)


def _chat_usage(chunk: _ChatCompletionChunk) -> Usage | None:
    # The chunk's usage: the last one's when stream_options.include_usage was
    # asked for (OpenAI, LiteLLM); Groq also sends it as x_groq.usage on the
    # last chunk, and takes no stream_options.
    usage = getattr(chunk, "usage", None) or getattr(
        getattr(chunk, "x_groq", None), "usage", None
    )
    if usage is None:
        return None
    prompt_details = getattr(usage, "prompt_tokens_details", None)
    completion_details = getattr(usage, "completion_tokens_details", None)
    return Usage(
        input_tokens=int_attr(usage, "prompt_tokens"),
        output_tokens=int_attr(usage, "completion_tokens"),
        cached_input_tokens=int_attr(prompt_details, "cached_tokens"),
        reasoning_tokens=int_attr(completion_details, "reasoning_tokens"),
    )


def _responses_usage(event: TypedEvent) -> Usage | None:
    # response.completed (and .incomplete) carry the response with its usage.
    response = getattr(event, "response", None)
    usage = getattr(response, "usage", None)
    if usage is None:
        return None
    status = str_attr(response, "status")
    return Usage(
        input_tokens=int_attr(usage, "input_tokens"),
        output_tokens=int_attr(usage, "output_tokens"),
        cached_input_tokens=int_attr(
            getattr(usage, "input_tokens_details", None), "cached_tokens"
        ),
        reasoning_tokens=int_attr(
            getattr(usage, "output_tokens_details", None), "reasoning_tokens"
        ),
        finish_reasons=[status] if status else [],
    )


class _ChatCompletionParts:
    """Chat Completions chunks -> parts, tool calls keyed by their ``index``.

    A tool call's first delta has its ``id`` and ``function.name``, the
    following ones (same ``index``) fragments of ``function.arguments``; the
    calls end when the choice has a ``finish_reason``. ``delta.reasoning``
    (Groq, OpenRouter) or ``delta.reasoning_content`` (DeepSeek, vLLM) is
    reasoning; the usage chunk (or Groq's ``x_groq.usage``) is ``Usage``.
    """

    def __init__(self) -> None:
        self._calls: dict[int, str] = {}

    def __call__(self, chunk: _ChatCompletionChunk) -> list[Part]:
        usage = _chat_usage(chunk)
        if not chunk.choices:
            return [] if usage is None else [usage]
        choice = chunk.choices[0]
        delta = choice.delta
        parts: list[Part] = []
        reasoning = str_attr(delta, "reasoning") or str_attr(delta, "reasoning_content")
        if reasoning:
            parts.append(ReasoningDelta(reasoning))
        if delta.content:
            parts.append(delta.content)
        tool_calls: object = getattr(delta, "tool_calls", None) or ()
        for tool_call in cast("Sequence[object]", tool_calls):
            parts.extend(self._tool_call_parts(tool_call))
        finish_reason = str_attr(choice, "finish_reason")
        if finish_reason and self._calls:
            parts.extend(ToolCallEnd(call_id) for call_id in self._calls.values())
            self._calls.clear()
        if finish_reason:
            usage = usage or Usage()
            usage.finish_reasons.append(finish_reason)
        if usage is not None:
            parts.append(usage)
        return parts

    def _tool_call_parts(self, tool_call: object) -> list[Part]:
        index = getattr(tool_call, "index", None)
        if not isinstance(index, int):
            return []
        function = getattr(tool_call, "function", None)
        parts: list[Part] = []
        call_id = self._calls.get(index)
        if call_id is None:
            call_id = str_attr(tool_call, "id")
            name = str_attr(function, "name")
            if not call_id or name is None:
                return []
            self._calls[index] = call_id
            parts.append(ToolCallStart(call_id, name))
        arguments = str_attr(function, "arguments")
        if arguments:
            parts.append(ToolCallDelta(call_id, arguments))
        return parts


def openai_stream_parts(
    stream: _ChatCompletionStream,
) -> AsyncIterator[str | StreamPart]:
    """The text, reasoning and tool calls of a Chat Completions stream.

    Accepts what :func:`openai_text_stream` accepts. Yields ``delta.content``
    as ``str``, ``delta.reasoning``/``delta.reasoning_content`` as
    ``ReasoningDelta``, and ``delta.tool_calls`` as ``ToolCallStart`` and
    ``ToolCallDelta`` per call, each ended (``ToolCallEnd``) when the choice
    finishes, and the provider's token counts as ``Usage`` (ask for them with
    ``stream_options={"include_usage": True}``; Groq sends them unasked). The
    provider stream is closed when the parts end for any reason.
    """
    return parts(stream, _ChatCompletionParts())


class _ResponsesParts:
    """Responses API events -> parts; function calls keyed by their item id.

    ``response.output_item.added`` of a ``function_call`` item starts a call
    (named by its ``call_id``, what a tool result refers to), its
    ``response.function_call_arguments.delta`` s are the arguments and
    ``.done`` ends it. Reasoning comes as ``response.reasoning_summary_text``
    or ``response.reasoning_text`` deltas. An ``error`` or
    ``response.failed`` event raises :class:`ProviderStreamError`.
    """

    def __init__(self) -> None:
        self._calls: dict[str, str] = {}

    def __call__(self, event: TypedEvent) -> list[Part]:
        kind = event.type
        if kind == "response.output_text.delta":
            text = str_attr(event, "delta")
            return [text] if text else []
        if kind in (
            "response.reasoning_summary_text.delta",
            "response.reasoning_text.delta",
        ):
            text = str_attr(event, "delta")
            return [ReasoningDelta(text)] if text else []
        if kind == "response.output_item.added":
            item = getattr(event, "item", None)
            item_id = str_attr(item, "id")
            call_id = str_attr(item, "call_id")
            name = str_attr(item, "name")
            if getattr(item, "type", None) != "function_call" or not call_id:
                return []
            self._calls[item_id or call_id] = call_id
            return [ToolCallStart(call_id, name or "")]
        if kind == "response.function_call_arguments.delta":
            call_id = self._calls.get(str_attr(event, "item_id") or "")
            delta = str_attr(event, "delta")
            return [ToolCallDelta(call_id, delta)] if call_id and delta else []
        if kind in (
            "response.function_call_arguments.done",
            "response.output_item.done",
        ):
            item = getattr(event, "item", None)
            item_id = str_attr(event, "item_id") or str_attr(item, "id") or ""
            call_id = self._calls.pop(item_id, None)
            return [] if call_id is None else [ToolCallEnd(call_id)]
        if kind in ("response.completed", "response.incomplete"):
            usage = _responses_usage(event)
            return [] if usage is None else [usage]
        _responses_text(event)  # raises on error events
        return []


def openai_responses_stream_parts(
    stream: _ResponsesStream,
) -> AsyncIterator[str | StreamPart]:
    """The text, reasoning and function calls of a Responses API stream.

    Accepts what :func:`openai_responses_text_stream` accepts. Yields
    ``response.output_text.delta`` as ``str``, reasoning summary (and
    reasoning text) deltas as ``ReasoningDelta``, and each ``function_call``
    output item as ``ToolCallStart`` (its ``call_id`` and ``name``),
    ``ToolCallDelta`` per arguments delta and ``ToolCallEnd``, and the usage
    of ``response.completed`` as ``Usage``. An ``error`` or
    ``response.failed`` event raises :class:`ProviderStreamError`. The
    provider stream is closed when the parts end for any reason.
    """
    return parts(stream, _ResponsesParts())
