"""Where a stream is kept: its key in the store, made of its route, its owner
and its id, and the ids clients send (``Last-Event-ID``, a chat's id).

Shared by the response, the resume of a chat and the stop endpoint, so that
all three find a stream under the same key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

_HEX = frozenset("0123456789abcdef")
_DIGITS = frozenset("0123456789")
_PAST_EVERY_END = 10**19
"""What a sequence number of more than 19 digits counts as: no stream has
that many events, and int() is never asked to read a huge number."""


def parse_last_event_id(value: str) -> tuple[str, int] | None:
    """``(stream id, seq)`` from ``<32 hex digits>:<ASCII digits>``, else None."""
    stream_id, _, seq = value.strip(" \t").rpartition(":")
    if not is_stream_id(stream_id):
        return None
    if not seq or not _DIGITS.issuperset(seq):
        return None  # str.isdigit() would take "²", which int() refuses.
    return stream_id, _PAST_EVERY_END if len(seq) > 19 else int(seq)


def is_stream_id(value: str) -> bool:
    """Whether ``value`` has the form of a stream id: 32 lower-case hex digits."""
    return len(value) == 32 and _HEX.issuperset(value)


def route_name(endpoint: Callable[..., Any]) -> str:
    """The name of a route's endpoint function, as the store keys know it."""
    return f"{endpoint.__module__}.{endpoint.__qualname__}"


def store_key(stream_id: str, route: str, owner: str | None) -> str:
    """The stream's key in the store: its route, its owner and its id."""
    bound = route if owner is None else f"{route}\nowner:{owner}"
    return hashlib.sha256(bound.encode()).hexdigest()[:32] + "-" + stream_id


def chat_key(chat_id: str, route: str, owner: str | None) -> str:
    """The key of a chat's pointer to its active stream (any text as its id)."""
    digest = hashlib.sha256(chat_id.encode("utf-8", "surrogatepass")).hexdigest()
    return store_key("chat-" + digest[:32], route, owner)
