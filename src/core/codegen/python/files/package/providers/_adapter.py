"""What every provider adapter shares: the SDK stream shapes, opening a stream
lazily and closing it when the tokens end."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, TypeVar, Union, runtime_checkable

from ..parts import StreamPart, close_now

_EventT_co = TypeVar("_EventT_co", covariant=True)

Part = Union[str, StreamPart]


@runtime_checkable
class AsyncEventStream(Protocol[_EventT_co]):
    """An SDK's async event stream.

    ``AsyncStream`` (OpenAI, Groq, Anthropic), Anthropic's
    ``AsyncMessageStream`` or LiteLLM's ``CustomStreamWrapper``.
    """

    def __aiter__(self) -> AsyncIterator[_EventT_co]: ...

    # Async in the SDKs; synchronous in LiteLLM's CustomStreamWrapper (see
    # close_now).
    def close(self) -> object: ...


class TypedEvent(Protocol):
    """A stream event: Anthropic's and the Responses API's have a ``type``."""

    @property
    def type(self) -> str: ...


def str_attr(value: object, name: str) -> str | None:
    """``value.name`` when it is a string (an SDK model's optional field)."""
    attribute = getattr(value, name, None)
    return attribute if isinstance(attribute, str) else None


def int_attr(value: object, name: str) -> int | None:
    """``value.name`` when it is an int (a token count the provider may omit)."""
    attribute = getattr(value, name, None)
    if isinstance(attribute, bool) or not isinstance(attribute, int):
        return None
    return attribute


async def texts(
    opening: AsyncEventStream[Any] | Awaitable[AsyncEventStream[Any]],
    text_of: Callable[[Any], str | None],
) -> AsyncIterator[str]:
    """Yield each event's non-empty text; close the provider stream at the end.

    ``opening`` may be the SDK call not yet awaited: it is awaited here, on the
    first read, so a failure to open the stream (an HTTP error after the SDK's
    retries) is raised inside the token stream, where ``stream_tokens`` turns
    it into an ``error`` event, rather than in the route before the response
    has started.
    """
    stream = opening if isinstance(opening, AsyncEventStream) else await opening
    try:
        async for event in stream:
            text = text_of(event)
            if text:
                yield text
    finally:
        await close_now(stream)


async def texts_from_manager(
    manager: AbstractAsyncContextManager[AsyncEventStream[Any]],
    text_of: Callable[[Any], str | None],
) -> AsyncIterator[str]:
    """Like ``texts``, for a stream opened by a context manager that closes it."""
    async with manager as stream:
        async for event in stream:
            text = text_of(event)
            if text:
                yield text


async def parts(
    opening: AsyncEventStream[Any] | Awaitable[AsyncEventStream[Any]],
    parts_of: Callable[[Any], Iterable[Part]],
) -> AsyncIterator[Part]:
    """Like ``texts``, for an adapter that maps each event to parts."""
    stream = opening if isinstance(opening, AsyncEventStream) else await opening
    try:
        async for event in stream:
            for part in parts_of(event):
                yield part
    finally:
        await close_now(stream)


async def parts_from_manager(
    manager: AbstractAsyncContextManager[AsyncEventStream[Any]],
    parts_of: Callable[[Any], Iterable[Part]],
) -> AsyncIterator[Part]:
    """Like ``parts``, for a stream opened by a context manager that closes it."""
    async with manager as stream:
        async for event in stream:
            for part in parts_of(event):
                yield part
