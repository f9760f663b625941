"""OpenAI Chat Completions, streamed or not, and the body of its requests."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any, Optional, Union

from pydantic import BaseModel, StrictBool, StrictStr
from starlette.responses import JSONResponse, Response

from ..events import error_fields, json_dumps
from ..finish import Usage
from ..parts import (
    ReasoningDelta,
    TextDelta,
    TokenSource,
    ToolCall,
    ToolCallDelta,
    ToolCalls,
    ToolCallStart,
    close_now,
)
from ..response import streaming_response
from ._common import DONE_EVENT, Conversation, OptionalText, data_event

__all__ = [
    "ChatCompletionMessage",
    "ChatCompletionRequest",
    "ChatCompletionStreamOptions",
    "ChatContentPart",
    "openai_chat_completion",
    "openai_chat_completion_response",
    "openai_chat_completion_stream",
]

_logger = logging.getLogger(__name__)


class _Completion:
    """The parts of one Chat Completions answer: ids and its chunks' bytes."""

    def __init__(self, model: str) -> None:
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())
        self.model = model
        head = json_dumps(
            {
                "id": self.id,
                "object": "chat.completion.chunk",
                "created": self.created,
                "model": model,
            }
        )
        # data: {"id":...,"model":...,"choices":[{"index":0,"delta":
        self.delta_head = b"data: " + head[:-1] + b',"choices":[{"index":0,"delta":'
        self.content_head = self.delta_head + b'{"content":'
        self.content_tail = b'},"logprobs":null,"finish_reason":null}]}\n\n'

    def chunk(
        self, delta: Mapping[str, Any], finish_reason: str | None = None
    ) -> bytes:
        tail = {"logprobs": None, "finish_reason": finish_reason}
        return (
            self.delta_head
            + json_dumps(delta)
            + b","
            + json_dumps(tail)[1:-1]
            + b"}]}\n\n"
        )

    def usage_chunk(self, usage: Usage, deltas: int) -> bytes:
        return data_event(
            {
                "id": self.id,
                "object": "chat.completion.chunk",
                "created": self.created,
                "model": self.model,
                "choices": [],
                "usage": _usage(usage, deltas),
            }
        )


def _usage(usage: Usage, deltas: int) -> dict[str, Any]:
    """The API's usage object: the provider's figures where the source reported
    them (``Usage`` parts), else an estimate: the source's deltas counted as
    completion tokens, the prompt not counted (0)."""
    prompt = usage.input_tokens or 0
    completion = deltas if usage.output_tokens is None else usage.output_tokens
    figures: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    if usage.cached_input_tokens is not None:
        figures["prompt_tokens_details"] = {"cached_tokens": usage.cached_input_tokens}
    if usage.reasoning_tokens is not None:
        figures["completion_tokens_details"] = {
            "reasoning_tokens": usage.reasoning_tokens
        }
    return figures


def _openai_error(exc: Exception, expose: bool) -> dict[str, Any]:
    """The error object of the OpenAI API, which its clients raise as APIError."""
    return {
        "message": error_fields(exc, expose)["message"],
        "type": "server_error",
        "param": None,
        "code": None,
    }


async def openai_chat_completion_stream(
    source: TokenSource,
    *,
    model: str,
    include_usage: bool = False,
    expose_errors: bool = False,
) -> AsyncIterator[bytes]:
    """Stream a token source as OpenAI Chat Completions chunks.

    What an OpenAI client reads from ``chat.completions.create(...,
    stream=True)``: data-only SSE events, each a ``chat.completion.chunk``
    with one choice: first ``delta.role``, then ``delta.content`` per piece of
    text, ``delta.reasoning_content`` per piece of reasoning, and
    ``delta.tool_calls`` (the call's ``index``, ``id``, ``type`` and
    ``function.name`` when it starts, then ``function.arguments`` fragments);
    a last chunk with ``finish_reason`` (``tool_calls`` if the answer called
    tools, else ``stop``); when ``include_usage``, a chunk with no choices
    and ``usage``: the provider's figures where the source yields ``Usage``
    parts, else the source's deltas counted as completion tokens (an
    estimate); then ``data: [DONE]``.

    If the source raises, ``data: {"error": {"message", "type", "param",
    "code"}}`` is sent and the stream ends without ``[DONE]``: the official
    clients raise it as an ``APIError``. The message is generic unless
    ``expose_errors``.
    """
    completion = _Completion(model)
    yield completion.chunk({"role": "assistant", "content": ""})
    calls = ToolCalls()
    usage = Usage()
    deltas = 0
    # Text is most of a stream: its chunk is the two prepared halves around it.
    content_head = completion.content_head
    content_tail = completion.content_tail
    try:
        async for part in source:
            deltas += 1
            if isinstance(part, str):
                yield content_head + json_dumps(part) + content_tail
            elif isinstance(part, TextDelta):
                yield content_head + json_dumps(part.text) + content_tail
            elif isinstance(part, ReasoningDelta):
                yield completion.chunk({"reasoning_content": part.text})
            elif isinstance(part, ToolCallStart):
                call = calls.start(part)
                function = {"name": part.name, "arguments": ""}
                tool_call = {
                    "index": call.index,
                    "id": part.id,
                    "type": "function",
                    "function": function,
                }
                yield completion.chunk({"tool_calls": [tool_call]})
            elif isinstance(part, ToolCallDelta):
                call = calls.add(part)
                if call is not None:
                    fragment = {"arguments": part.arguments}
                    tool_call = {"index": call.index, "function": fragment}
                    yield completion.chunk({"tool_calls": [tool_call]})
            elif isinstance(part, Usage):
                deltas -= 1  # a report, not a delta
                usage.update(part)
            else:
                calls.end(part)
    except Exception as exc:
        _logger.exception("Token stream failed; sending an error chunk")
        yield data_event({"error": _openai_error(exc, expose_errors)})
        return
    finally:
        await close_now(source)
    finish_reason = "tool_calls" if calls.started else "stop"
    yield completion.chunk({}, finish_reason)
    if include_usage:
        yield completion.usage_chunk(usage, deltas)
    yield DONE_EVENT


async def openai_chat_completion(source: TokenSource, *, model: str) -> dict[str, Any]:
    """Read a whole token source into one ``chat.completion`` object.

    For ``stream: false`` requests: ``choices[0].message`` has the text as
    ``content`` (None when there is none), ``reasoning_content`` when the
    source reasoned, and ``tool_calls`` (with their arguments as a string,
    as OpenAI sends them) when it called tools. The source is closed at the
    end; an exception from it propagates.
    """
    completion = _Completion(model)
    texts: list[str] = []
    reasoning: list[str] = []
    calls = ToolCalls()
    ended: list[ToolCall] = []
    usage = Usage()
    deltas = 0
    try:
        async for part in source:
            deltas += 1
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, TextDelta):
                texts.append(part.text)
            elif isinstance(part, ReasoningDelta):
                reasoning.append(part.text)
            elif isinstance(part, ToolCallStart):
                ended.append(calls.start(part))
            elif isinstance(part, ToolCallDelta):
                calls.add(part)
            elif isinstance(part, Usage):
                deltas -= 1  # a report, not a delta
                usage.update(part)
            else:
                calls.end(part)
    finally:
        await close_now(source)
    message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) or None}
    if reasoning:
        message["reasoning_content"] = "".join(reasoning)
    if ended:
        message["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": "".join(call.arguments)},
            }
            for call in ended
        ]
    choice = {
        "index": 0,
        "message": message,
        "logprobs": None,
        "finish_reason": "tool_calls" if ended else "stop",
    }
    return {
        "id": completion.id,
        "object": "chat.completion",
        "created": completion.created,
        "model": model,
        "choices": [choice],
        "usage": _usage(usage, deltas),
    }


async def openai_chat_completion_response(
    source: TokenSource,
    *,
    model: str,
    stream: bool,
    include_usage: bool = False,
    expose_errors: bool = False,
) -> Response:
    """The answer to a Chat Completions request, streamed or not.

    ``stream`` true: :func:`openai_chat_completion_stream` in an
    ``EventStreamResponse``. Otherwise one ``chat.completion`` JSON object
    (:func:`openai_chat_completion`), or, if the source fails, a 500 with the
    API's ``{"error": {...}}`` body, which the clients raise.
    """
    if stream:
        return streaming_response(
            openai_chat_completion_stream(
                source,
                model=model,
                include_usage=include_usage,
                expose_errors=expose_errors,
            )
        )
    try:
        completion = await openai_chat_completion(source, model=model)
    except Exception as exc:
        _logger.exception("Token source failed; answering 500")
        return JSONResponse({"error": _openai_error(exc, expose_errors)}, 500)
    return JSONResponse(completion)


class ChatContentPart(BaseModel):
    """A part of a message's content: ``{"type": "text", "text": ...}``."""

    type: StrictStr
    text: OptionalText = None


_MessageContent = Union[StrictStr, list[ChatContentPart], None]


class ChatCompletionMessage(BaseModel):
    """A message of a Chat Completions request."""

    role: StrictStr
    content: _MessageContent = None

    def text(self) -> str:
        if self.content is None or isinstance(self.content, str):
            return self.content or ""
        parts = self.content
        return "".join(part.text or "" for part in parts if part.type == "text")


class ChatCompletionStreamOptions(BaseModel):
    include_usage: StrictBool = False


_OptionalStreamOptions = Optional[ChatCompletionStreamOptions]


class ChatCompletionRequest(Conversation, BaseModel):
    """The body of ``POST /v1/chat/completions`` as OpenAI clients send it."""

    model: StrictStr = ""
    messages: list[ChatCompletionMessage]
    stream: StrictBool = False
    stream_options: _OptionalStreamOptions = None

    @property
    def include_usage(self) -> bool:
        return self.stream_options is not None and self.stream_options.include_usage

    def _turns(self) -> Iterable[tuple[str, str]]:
        return ((message.role, message.text()) for message in self.messages)
