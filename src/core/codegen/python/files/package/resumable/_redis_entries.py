"""How a batch of events is kept in one Redis stream entry, and read back.

The entry's id is the number of the batch's last event (``n-1``); its field
``e`` holds the events joined, and ``l`` their lengths, comma-separated (a
batch of one has no ``l``: the form of an entry per event, as older versions
wrote). One entry per batch, not per event: the cost of a write is the
client's packing of each command and parsing of its reply, so one XADD for
a batch of 200 events costs about what one for a single event does.

The batch is also published on the stream's channel as it is stored
(:func:`published`), so a reader waiting for the next event gets it from the
wake-up itself, without a round trip of its own (:func:`events_after`).
"""

from __future__ import annotations

from typing import Any


def batch_fields(events: list[bytes]) -> tuple[object, ...]:
    """The fields of the entry that holds ``events``."""
    fields: tuple[object, ...] = ("e", b"".join(events))
    if len(events) > 1:
        fields = (*fields, "l", ",".join(str(len(event)) for event in events))
    return fields


def batch_events(fields: dict[bytes, bytes]) -> list[bytes]:
    """The events of one entry: ``e`` split by the lengths in ``l``, if any."""
    lengths = fields.get(b"l")
    if lengths is None:
        return [fields[b"e"]]
    return _split(fields[b"e"], lengths)


def published(last: int, events: list[bytes]) -> bytes:
    """The wake-up message of a stored batch, which carries the batch:
    ``<last event's number> <lengths>\n<events>``."""
    lengths = ",".join(str(len(event)) for event in events)
    return f"{last} {lengths}\n".encode() + b"".join(events)


def events_after(message: bytes, after: int) -> list[tuple[int, bytes]] | None:
    """The events after ``after`` of a published batch that holds event
    ``after + 1``; None for any other message (then read the stream)."""
    batch = _parse(message)
    if batch is None:
        return None
    first, events = batch
    if not first <= after + 1 < first + len(events):
        return None
    return [(seq, event) for seq, event in enumerate(events, first) if seq > after]


def last_published(message: bytes) -> int | None:
    """The number of the last event of a published batch, else None."""
    batch = _parse(message)
    return None if batch is None else batch[0] + len(batch[1]) - 1


def _parse(message: bytes) -> tuple[int, list[bytes]] | None:
    """A published batch as (its first event's number, its events)."""
    head, newline, joined = message.partition(b"\n")
    last, _, lengths = head.partition(b" ")
    if not newline or not last.isdigit() or not lengths:
        return None
    events = _split(joined, lengths)
    return int(last) - len(events) + 1, events


def _split(joined: bytes, lengths: bytes) -> list[bytes]:
    events: list[bytes] = []
    start = 0
    for length in lengths.split(b","):
        end = start + int(length)
        events.append(joined[start:end])
        start = end
    return events


def entries_after(reply: Any, after: int) -> tuple[list[tuple[int, bytes]], bool]:
    """The events after ``after`` in XREAD's reply, and whether it holds the
    stream's end (the events of its first entry up to ``after`` left out)."""
    events: list[tuple[int, bytes]] = []
    for _key, entries in _stream_entries(reply):
        for entry_id, fields in entries:
            if b"end" in fields:
                return events, True
            batch = batch_events(fields)
            first = int(entry_id.split(b"-")[0]) - len(batch) + 1
            events.extend(
                (seq, event) for seq, event in enumerate(batch, first) if seq > after
            )
    return events, False


def _stream_entries(
    reply: Any,
) -> list[tuple[bytes, list[tuple[bytes, dict[bytes, bytes]]]]]:
    """XREAD's reply as (key, [(entry id, fields)]); RESP2 and RESP3 shapes."""
    if not reply:
        return []
    if isinstance(reply, dict):
        return list(reply.items())  # pyright: ignore[reportUnknownArgumentType]
    return [(key, entries) for key, entries in reply]
