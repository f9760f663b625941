/**
 * The provider-adapters section of the generated `streaming.py`: each adapter turns an LLM SDK's async stream
 * into the async iterator of text tokens that `stream_tokens` consumes, and closes the provider stream when
 * it ends for any reason (a client that goes away stops the request, and the billing, at once).
 *
 * The SDKs are not imported: small Protocols describe the parts of their documented stream shapes the
 * adapters read, so the module type-checks (pyright strict) and imports whether or not an SDK is installed.
 * Each adapter also takes the SDK call not yet awaited and awaits it on the first read, so a failure to open the
 * stream (HTTP 429/5xx after the SDK's retries) becomes an `error` event instead of a 500 before the response.
 * Shapes followed:
 * - Anthropic Messages (`await client.messages.create(..., stream=True)` -> `AsyncStream[RawMessageStreamEvent]`,
 *   or `client.messages.stream(...)` -> an async context manager yielding `AsyncMessageStream`): text arrives in
 *   `content_block_delta` events whose `delta.type == "text_delta"`, in `delta.text`;
 * - OpenAI Chat Completions and Groq (`stream=True` -> `AsyncStream[ChatCompletionChunk]`): `choices[0].delta.content`,
 *   with chunks whose `choices` is empty (usage, Azure content-filter results) skipped;
 * - OpenAI Responses (`stream=True` -> `AsyncStream[ResponseStreamEvent]`): `response.output_text.delta` events' `delta`;
 *   the SDK yields the stream's `error` and `response.failed` events like any other, so the adapter raises on them.
 */

/** Names this section adds to the module's `__all__`. */
export const PROVIDER_ADAPTER_EXPORTS = ['anthropic_text_stream', 'openai_responses_text_stream', 'openai_text_stream'] as const;

export const providerAdapters = String.raw`_EventT_co = TypeVar("_EventT_co", covariant=True)


@runtime_checkable
class _AsyncEventStream(Protocol[_EventT_co]):
    """An SDK's async event stream: 'AsyncStream' (OpenAI, Groq, Anthropic) or Anthropic's 'AsyncMessageStream'."""

    def __aiter__(self) -> AsyncIterator[_EventT_co]: ...

    async def close(self) -> None: ...


class _TypedEvent(Protocol):
    """A stream event: Anthropic's and the Responses API's events are told apart by 'type'."""

    @property
    def type(self) -> str: ...


class _ChatCompletionDelta(Protocol):
    @property
    def content(self) -> str | None: ...


class _ChatCompletionChoice(Protocol):
    @property
    def delta(self) -> _ChatCompletionDelta: ...


class _ChatCompletionChunk(Protocol):
    @property
    def choices(self) -> Sequence[_ChatCompletionChoice]: ...


async def _texts(
    opening: _AsyncEventStream[T] | Awaitable[_AsyncEventStream[T]],
    text_of: Callable[[T], str | None],
) -> AsyncIterator[str]:
    """Yield the non-empty text of each event, closing the provider stream when iteration stops.

    'opening' may be the SDK call not yet awaited: it is awaited here, on the
    first read, so a failure to open the stream (an HTTP error after the
    SDK's retries) is raised inside the token stream, where 'stream_tokens'
    turns it into an 'error' event, rather than in the route before the
    response has started.
    """
    stream = opening if isinstance(opening, _AsyncEventStream) else await opening
    try:
        async for event in stream:
            text = text_of(event)
            if text:
                yield text
    finally:
        await stream.close()


async def _texts_from_manager(
    manager: AbstractAsyncContextManager[_AsyncEventStream[T]],
    text_of: Callable[[T], str | None],
) -> AsyncIterator[str]:
    """Like '_texts', for a stream opened by a context manager, whose exit closes it."""
    async with manager as stream:
        async for event in stream:
            text = text_of(event)
            if text:
                yield text


def _anthropic_text(event: _TypedEvent) -> str | None:
    # Only 'content_block_delta' events carry text, and only when their delta is a 'text_delta'; the
    # others ('message_start', 'content_block_start', 'content_block_stop', 'message_delta',
    # 'message_stop', 'ping', tool-input and thinking deltas) are not part of the answer's text.
    # Their other fields depend on 'type', hence getattr rather than a wider Protocol.
    if event.type != "content_block_delta":
        return None
    delta = getattr(event, "delta", None)
    if getattr(delta, "type", None) != "text_delta":
        return None
    text = getattr(delta, "text", None)
    return text if isinstance(text, str) else None


def anthropic_text_stream(
    stream: _AsyncEventStream[_TypedEvent]
    | Awaitable[_AsyncEventStream[_TypedEvent]]
    | AbstractAsyncContextManager[_AsyncEventStream[_TypedEvent]],
) -> AsyncIterator[str]:
    """The text tokens of an Anthropic Messages stream.

    'stream' is 'client.messages.create(..., stream=True)', best not yet
    awaited (it is awaited on the first read, so a failure to open the
    stream becomes an 'error' event), or what awaiting it returns, or
    'client.messages.stream(...)' itself (not yet entered: it is entered
    here). Example::

        stream = client.messages.create(model=..., max_tokens=1024, messages=messages, stream=True)
        return streaming_response(stream_tokens(anthropic_text_stream(stream)))

    The provider stream is closed when the tokens end for any reason,
    including the client going away, so the request stops and with it the
    billing.
    """
    # An SDK stream is an async context manager too: test for the stream first.
    if not isinstance(stream, _AsyncEventStream) and isinstance(stream, AbstractAsyncContextManager):
        return _texts_from_manager(stream, _anthropic_text)
    return _texts(stream, _anthropic_text)


def _chat_completion_text(chunk: _ChatCompletionChunk) -> str | None:
    # The last chunk has no choices when usage is requested, and so do Azure's content-filter chunks.
    return chunk.choices[0].delta.content if chunk.choices else None


def openai_text_stream(
    stream: _AsyncEventStream[_ChatCompletionChunk]
    | Awaitable[_AsyncEventStream[_ChatCompletionChunk]],
) -> AsyncIterator[str]:
    """The text tokens of an OpenAI (or Azure OpenAI, or Groq) Chat Completions stream.

    'stream' is 'client.chat.completions.create(..., stream=True)', best not
    yet awaited (it is awaited on the first read, so a failure to open the
    stream becomes an 'error' event), or what awaiting it returns; each
    chunk's text is 'choices[0].delta.content'. Example::

        stream = client.chat.completions.create(model=..., messages=messages, stream=True)
        return streaming_response(stream_tokens(openai_text_stream(stream)))

    The provider stream is closed when the tokens end for any reason,
    including the client going away.
    """
    return _texts(stream, _chat_completion_text)


class ProviderStreamError(RuntimeError):
    """A failure the provider reported inside a stream that its SDK yields as an ordinary event."""


def _responses_text(event: _TypedEvent) -> str | None:
    if event.type == "response.output_text.delta":
        delta = getattr(event, "delta", None)
        return delta if isinstance(delta, str) else None
    if event.type in ("error", "response.failed"):
        # The SDK yields these like any other event rather than raising: without
        # raising here the answer would end with 'done', as if it were complete.
        error = getattr(getattr(event, "response", None), "error", None) or event
        message = getattr(error, "message", None)
        raise ProviderStreamError(message if isinstance(message, str) else event.type)
    return None


def openai_responses_text_stream(
    stream: _AsyncEventStream[_TypedEvent] | Awaitable[_AsyncEventStream[_TypedEvent]],
) -> AsyncIterator[str]:
    """The text tokens of an OpenAI Responses API stream.

    'stream' is 'client.responses.create(..., stream=True)', best not yet
    awaited (it is awaited on the first read, so a failure to open the
    stream becomes an 'error' event), or what awaiting it returns; text
    arrives in 'response.output_text.delta' events' 'delta'. An 'error' or
    'response.failed' event raises 'ProviderStreamError'. Example::

        stream = client.responses.create(model=..., input=prompt, stream=True)
        return streaming_response(stream_tokens(openai_responses_text_stream(stream)))

    The provider stream is closed when the tokens end for any reason,
    including the client going away.
    """
    return _texts(stream, _responses_text)
`;
