"""SSE events: one event as bytes, its data as compact JSON.

The JSON is written by orjson when it is installed and by the standard
library otherwise, with the same bytes either way.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring
from typing import Any, cast

__all__ = ["format_sse"]

EVENT_END = b"\n\n"

# What an "error" event says unless the stream was made with expose_errors=True:
# exception messages can hold URLs, request ids, keys or internal paths.
_GENERIC_ERROR_MESSAGE = "The stream failed; the server log has the details."


def _load_orjson_dumps() -> Callable[[Any], bytes] | None:
    """``orjson.dumps`` when orjson is installed (imported by name, so type
    checkers accept this module without it), else None."""
    try:
        orjson = importlib.import_module("orjson")
    except ImportError:
        return None
    dumps: Callable[[Any], bytes] = orjson.dumps
    return dumps


def _float_json(value: float) -> str:
    """A float as orjson writes it: the shortest digits that read back the same.

    NaN and the infinities have no JSON form and become ``null``. Python's
    ``repr`` has the same digits; only small exponents are written differently
    (``1e-05`` is ``0.00001``, ``1e-07`` is ``1e-7``).
    """
    if not math.isfinite(value):
        return "null"
    text = float.__repr__(value)
    mantissa, _, exponent = text.partition("e")
    if not exponent or exponent.startswith("+"):
        return text
    power = int(exponent)
    if power == -5:
        sign = "-" if mantissa.startswith("-") else ""
        return f"{sign}0.0000{mantissa.lstrip('-').replace('.', '')}"
    return f"{mantissa}e{power}"


def _encode_json(value: object, parts: list[str]) -> None:
    """Append the compact JSON of ``value`` to ``parts``, as orjson writes it."""
    if isinstance(value, str):
        parts.append(encode_basestring(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, float):
        parts.append(_float_json(value))
    elif isinstance(value, (list, tuple)):
        parts.append("[")
        for index, item in enumerate(cast("Sequence[object]", value)):
            if index:
                parts.append(",")
            _encode_json(item, parts)
        parts.append("]")
    elif isinstance(value, dict):
        parts.append("{")
        members = cast("dict[object, object]", value)
        for index, (key, item) in enumerate(members.items()):
            if not isinstance(key, str):
                # orjson refuses these too, so the output does not depend on it.
                raise TypeError(f"Dict key must be str, not {type(key).__name__}")
            parts.append("," if index else "")
            parts.append(encode_basestring(key))
            parts.append(":")
            _encode_json(item, parts)
        parts.append("}")
    else:
        raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


def _stdlib_json_dumps(data: Any) -> bytes:
    """Compact UTF-8 JSON, byte for byte what ``orjson.dumps`` writes."""
    if isinstance(data, str):
        return encode_basestring(data).encode("utf-8")
    parts: list[str] = []
    _encode_json(data, parts)
    return "".join(parts).encode("utf-8")


json_dumps: Callable[[Any], bytes] = _load_orjson_dumps() or _stdlib_json_dumps


def _check_field(name: str, value: str) -> bytes:
    """Encode an ``event`` or ``id`` field, refusing what would corrupt the stream."""
    if "\n" in value or "\r" in value or "\0" in value:
        raise ValueError(f"SSE {name} must not contain CR, LF or NUL: {value!r}")
    return value.encode("utf-8")


def format_sse(event: str, data: Any, *, id: str | None = None) -> bytes:
    """Encode one SSE event: ``event: {event}\\nid: {id}\\ndata: {json}\\n\\n``.

    ``data`` is compact JSON on one line (NaN and the infinities as ``null``);
    the ``id`` line only when ``id`` is given. ValueError if ``event`` or
    ``id`` holds CR, LF or NUL; TypeError if ``data`` is not JSON (str, int,
    float, bool, None, and lists, tuples and str-keyed dicts of them).
    """
    head = b"event: " + _check_field("event", event)
    if id is not None:
        head += b"\nid: " + _check_field("id", id)
    return head + b"\ndata: " + json_dumps(data) + EVENT_END


def error_fields(exc: Exception, expose: bool) -> dict[str, str]:
    """The ``type`` and ``message`` of an error event: never a traceback."""
    message = str(exc) if expose else _GENERIC_ERROR_MESSAGE
    return {"type": type(exc).__name__, "message": message}
