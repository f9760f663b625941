"""A LangChain chat model's ``astream(...)`` as text tokens."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Mapping, Sequence
from typing import Protocol, cast

from ..parts import close_now

__all__ = ["langchain_text_stream"]


class _LangChainMessageChunk(Protocol):
    """LangChain's ``AIMessageChunk``: its ``content`` is text or content blocks."""

    @property
    def content(self) -> str | Sequence[object]: ...


def _langchain_text(chunk: _LangChainMessageChunk) -> str:
    # A list of content blocks (Anthropic, the Responses API, LangChain's own
    # standard blocks): the text is in the strings and the {"type": "text"}
    # blocks; reasoning, tool-call and image blocks are not part of it.
    content = chunk.content
    if isinstance(content, str):
        return content
    texts: list[str] = []
    for block in content:
        if isinstance(block, str):
            texts.append(block)
        elif isinstance(block, Mapping):
            fields = cast("Mapping[str, object]", block)
            text = fields.get("text")
            if fields.get("type") == "text" and isinstance(text, str):
                texts.append(text)
    return "".join(texts)


async def _langchain_texts(
    chunks: AsyncIterable[_LangChainMessageChunk],
) -> AsyncIterator[str]:
    try:
        async for chunk in chunks:
            text = _langchain_text(chunk)
            if text:
                yield text
    finally:
        await close_now(chunks)


def langchain_text_stream(
    chunks: AsyncIterable[_LangChainMessageChunk],
) -> AsyncIterator[str]:
    """The text tokens of a LangChain chat model's ``astream(...)``.

    ``chunks`` is ``model.astream(messages)`` (any chat model: ``ChatOpenAI``,
    ``ChatAnthropic``, ...); each ``AIMessageChunk`` gives its ``content`` when
    that is a string, or the text of its text blocks. Example::

        chunks = model.astream(messages)
        return streaming_response(stream_tokens(langchain_text_stream(chunks)))

    ``astream`` is an async generator that opens the provider request on the
    first read, so a failure to open it becomes an ``error`` event. It is
    closed when the tokens end for any reason, including the client going
    away, and with it the provider request.
    """
    return _langchain_texts(chunks)
