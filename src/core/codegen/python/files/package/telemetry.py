"""OpenTelemetry for event streams: one span per stream, when OpenTelemetry is there.

``traced_stream`` wraps the events a response writes. When ``opentelemetry``
(the API package) is importable, each stream becomes one span, a child of the
request's span (FastAPI 0.165 makes its own request span current while the
response is sent, so the stream is part of the request's trace), with the
GenAI attributes that apply and the stream's figures. Without OpenTelemetry,
the events are returned unchanged and nothing is recorded. Example::

    usage = Usage()  # the token source fills it from the provider's answer
    events = traced_stream(stream_tokens(tokens(prompt, usage)), model=m, usage=usage)
    return streaming_response(events)

Attributes: ``gen_ai.operation.name``, ``gen_ai.request.model``,
``gen_ai.usage.input_tokens``, ``gen_ai.usage.output_tokens``,
``gen_ai.response.finish_reasons`` (those known), and ``catalyst.stream.*``:
``time_to_first_event`` and ``largest_gap`` (seconds), ``events``, ``bytes``,
``outcome`` (``completed``, ``client_left``, ``stopped`` by a server shutdown,
``error``) and ``resumes`` (resumable streams: reconnects served by this
process, each also a ``catalyst.stream.resume`` span event). Stream ids are
never recorded: whoever holds one can read the stream.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import AsyncIterable, AsyncIterator
from contextvars import ContextVar
from typing import Any

from .finish import Usage
from .response import server_is_shutting_down

__all__ = ["GenAIUsage", "traced_stream"]

# The first bytes of the error event of each protocol of the package (sse,
# AI SDK, OpenAI): a stream that ends with one failed, though it ended cleanly.
_ERROR_EVENTS = (b"event: error\n", b'data: {"type":"error"', b'data: {"error":')


def _load(module: str) -> Any:
    """The module when it is installed (imported by name: no hard dependency)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


_trace: Any = _load("opentelemetry.trace")


GenAIUsage = Usage
"""The name this module gave ``finish.Usage`` before there was one usage type."""


class _SpanResumes:
    """A span and the number of resumes recorded on it."""

    def __init__(self, span: Any) -> None:
        self.span = span
        self.resumes = 0

    def add_event(self, name: str, attributes: dict[str, Any]) -> None:
        self.span.add_event(name, attributes)


# Resumable streams: the id of the stream whose producer is being started
# (seen by the producer's task, which copies the context), and the spans of
# this process's open streams, for the resumes.
_starting: ContextVar[str | None] = ContextVar("catalyst_stream_id", default=None)
_open_streams: dict[str, _SpanResumes] = {}


def _on_stream(stream_id: str, after: int | None) -> None:
    """Told by ``resumable.response`` of each new stream (``after`` None) and resume."""
    if after is None:
        _starting.set(stream_id)
        return
    attributes = {"catalyst.stream.resume_after": after}
    span = _open_streams.get(stream_id)
    if span is not None:
        span.add_event("catalyst.stream.resume", attributes)
        span.resumes += 1
    if _trace is not None:
        # The resume's own request span, also when another process streams it.
        _trace.get_current_span().add_event("catalyst.stream.resume", attributes)


_resumable: Any = _load(f"{__package__}.resumable.response")
if _resumable is not None and _trace is not None:
    _resumable.stream_listeners.append(_on_stream)


def traced_stream(
    events: AsyncIterable[bytes],
    *,
    model: str | None = None,
    usage: Usage | None = None,
    operation: str = "chat",
) -> AsyncIterable[bytes]:
    """``events``, recorded as one span when OpenTelemetry is installed.

    ``model`` is the requested model, ``usage`` what the source learns from
    the provider (read when the stream ends), ``operation`` the GenAI
    operation name. Without OpenTelemetry, ``events`` itself is returned.
    """
    if _trace is None:
        return events
    return _traced(events, model, usage or Usage(), operation)


class _Figures:
    """The stream's figures, counted per event without a span call."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.first: float | None = None
        self.last = self.started
        self.events = 0
        self.bytes = 0
        self.largest_gap = 0.0
        self.ending = b""

    def count(self, chunk: bytes) -> None:
        now = time.monotonic()
        if self.first is None:
            self.first = now
        elif now - self.last > self.largest_gap:
            self.largest_gap = now - self.last
        self.last = now
        self.events += 1
        self.bytes += len(chunk)
        self.ending = chunk[:24]


async def _traced(
    events: AsyncIterable[bytes], model: str | None, usage: Usage, operation: str
) -> AsyncIterator[bytes]:
    # Started at the first read, in the task that sends the response, where
    # the request's span is current (not in the endpoint's own span).
    tracer = _trace.get_tracer(__name__)
    attributes: dict[str, Any] = {"gen_ai.operation.name": operation}
    if model:
        attributes["gen_ai.request.model"] = model
    name = f"{operation} {model}" if model else operation
    span = tracer.start_span(name, attributes=attributes)
    stream_id = _starting.get()
    holder = _SpanResumes(span)
    if stream_id is not None:
        _open_streams[stream_id] = holder
    figures = _Figures()
    outcome = "error"
    try:
        async for chunk in events:
            figures.count(chunk)
            yield chunk
        outcome = "error" if figures.ending.startswith(_ERROR_EVENTS) else "completed"
    except BaseException as exc:
        if not isinstance(exc, Exception):
            # Closed (GeneratorExit) or cancelled: the client left, or the
            # server is shutting down and ended the stream.
            outcome = "stopped" if server_is_shutting_down() else "client_left"
        raise
    finally:
        if stream_id is not None:
            _open_streams.pop(stream_id, None)
        _end(span, figures, usage, outcome, holder.resumes)


def _end(
    span: Any, figures: _Figures, usage: Usage, outcome: str, resumes: int
) -> None:
    attributes: dict[str, Any] = {
        "catalyst.stream.events": figures.events,
        "catalyst.stream.bytes": figures.bytes,
        "catalyst.stream.largest_gap": figures.largest_gap,
        "catalyst.stream.outcome": outcome,
        "catalyst.stream.resumes": resumes,
    }
    if figures.first is not None:
        attributes["catalyst.stream.time_to_first_event"] = (
            figures.first - figures.started
        )
    if usage.input_tokens is not None:
        attributes["gen_ai.usage.input_tokens"] = usage.input_tokens
    if usage.output_tokens is not None:
        attributes["gen_ai.usage.output_tokens"] = usage.output_tokens
    if usage.finish_reasons:
        attributes["gen_ai.response.finish_reasons"] = usage.finish_reasons
    span.set_attributes(attributes)
    if outcome == "error":
        span.set_status(_trace.Status(_trace.StatusCode.ERROR))
    span.end()
