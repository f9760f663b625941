"""The error event of each protocol, for the errors of resumable streams.

``resumable_response(..., error_event=...)`` takes one; ``response``
re-exports them, where routes import them from.
"""

from __future__ import annotations

from ..events import EVENT_END, format_sse, json_dumps


def sse_error_event(kind: str, message: str) -> bytes:
    """The ``sse`` protocol's ``error`` event (the default ``error_event``)."""
    return format_sse("error", {"type": kind, "message": message})


def _data_event(data: object) -> bytes:
    # Not protocols._common's: a resumable sse route would then get protocols/.
    return b"data: " + json_dumps(data) + EVENT_END


def ai_sdk_error_event(kind: str, message: str) -> bytes:
    """The AI SDK's ``error`` chunk, for a route that streams that protocol."""
    return _data_event({"type": "error", "errorText": f"{kind}: {message}"})


def openai_error_event(kind: str, message: str) -> bytes:
    """The OpenAI API's error object in the stream, which its clients raise."""
    error = {"message": message, "type": "server_error", "param": None, "code": kind}
    return _data_event({"error": error})
