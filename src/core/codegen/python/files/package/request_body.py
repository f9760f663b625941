"""Request bodies read within limits, so one request cannot fill the server.

FastAPI reads a body parameter whole before the route runs; a route that
takes the ``Request`` and calls ``read_body`` reads at most ``max_bytes``
(413 past them: a ``Content-Length`` over the limit before a byte is read,
a chunked body once it passes the limit, the rest left unread), validates
it with the model (422 as FastAPI answers a bad body), then counts the
messages of a chat body and the text of each message (422 past
``max_messages`` or ``max_text_chars``). Each answer's JSON names the limit
and its value: ``{"detail": {"limit": "max_bytes", "value": 1000000, ...}}``.
Change a limit in the route: ``read_body(request, Model, max_bytes=...)``.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException
from pydantic import BaseModel, ValidationError
from starlette.requests import Request

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_MESSAGES",
    "DEFAULT_MAX_TEXT_CHARS",
    "read_body",
]

DEFAULT_MAX_BODY_BYTES = 1_000_000
DEFAULT_MAX_MESSAGES = 1_000
DEFAULT_MAX_TEXT_CHARS = 100_000


def _refuse(
    status: int, limit: str, value: int, message: str, headers: dict[str, str]
) -> HTTPException:
    detail = {"limit": limit, "value": value, "message": message}
    return HTTPException(status_code=status, detail=detail, headers=headers)


async def _read_bytes(request: Request, max_bytes: int) -> bytes:
    # Connection: close, so the server closes the connection after the 413
    # instead of reading the rest of the body to reuse it.
    message = f"The body is over {max_bytes} bytes."
    close = {"Connection": "close"}
    too_large = _refuse(413, "max_bytes", max_bytes, message, close)
    length = request.headers.get("content-length", "")
    if length.isascii() and length.isdigit() and int(length) > max_bytes:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise too_large  # the rest is never read
    return bytes(body)


def _validate(model: type[BaseModel], data: bytes) -> Any:
    # Pydantic 2's model_validate_json, else Pydantic 1's parse_raw.
    parse: Any = getattr(model, "model_validate_json", None)
    if parse is None:
        parse = getattr(model, "parse_raw", None)
    try:
        return parse(data)
    except ValidationError as error:
        errors = json.loads(error.json())
        for item in errors:
            item["loc"] = ["body", *item.get("loc", [])]
        raise HTTPException(status_code=422, detail=errors) from None


def _check_texts(body: BaseModel, max_messages: int, max_text_chars: int) -> None:
    # A chat body (protocols._common.Conversation) says its messages' texts;
    # any other body is one message whose texts are its string fields.
    message_texts: Any = getattr(body, "message_texts", None)
    if message_texts is None:
        texts = [value for value in vars(body).values() if isinstance(value, str)]
    else:
        texts = list(message_texts())
        if len(texts) > max_messages:
            message = f"The conversation has over {max_messages} messages."
            raise _refuse(422, "max_messages", max_messages, message, {})
    for text in texts:
        if len(text) > max_text_chars:
            message = f"A message has over {max_text_chars} characters of text."
            raise _refuse(422, "max_text_chars", max_text_chars, message, {})


async def read_body(
    request: Request,
    model: type[BaseModel],
    *,
    max_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_messages: int = DEFAULT_MAX_MESSAGES,
    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS,
) -> Any:
    """The request's JSON body as ``model``, read and checked within limits.

    Typed ``Any`` (not generic, which Python 3.12 would write another way):
    the route annotates it, ``body: Model = await read_body(request, Model)``.
    """
    body = _validate(model, await _read_bytes(request, max_bytes))
    _check_texts(body, max_messages, max_text_chars)
    return body
