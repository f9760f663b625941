"""The saved conversations of the chat sample: one SQLite file, the standard library's sqlite3.

Each answer is one row: the chat it belongs to, the question, the answer's text, why it ended and
what it cost as the provider counted it. sqlite3 blocks, so the async methods run it in a worker
thread and the event loop keeps streaming the other answers meanwhile.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from typing import Any

import anyio.to_thread

from streaming.finish import FinishResult

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY,
    chat_id TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    finish_reason TEXT NOT NULL,
    model TEXT,
    input_tokens INTEGER,
    output_tokens INTEGER,
    cached_input_tokens INTEGER,
    reasoning_tokens INTEGER,
    duration REAL NOT NULL
)
"""

_COLUMNS = (
    "question",
    "answer",
    "finish_reason",
    "model",
    "input_tokens",
    "output_tokens",
    "cached_input_tokens",
    "reasoning_tokens",
    "duration",
)


class Conversations:
    """The answers of every chat, in the SQLite file at ``path``."""

    def __init__(self, path: str) -> None:
        self.path = path
        with closing(sqlite3.connect(path)) as db, db:
            db.execute(_SCHEMA)

    async def save(self, chat_id: str, question: str, result: FinishResult) -> None:
        """Keep one finished answer (``on_finish`` calls this)."""
        usage = result.usage
        row = (
            chat_id,
            question,
            result.text,
            result.finish_reason,
            result.model,
            usage.input_tokens,
            usage.output_tokens,
            usage.cached_input_tokens,
            usage.reasoning_tokens,
            result.duration,
        )
        await anyio.to_thread.run_sync(self._insert, row)

    async def read(self, chat_id: str) -> list[dict[str, Any]]:
        """The answers of one chat, oldest first."""
        return await anyio.to_thread.run_sync(self._select, chat_id)

    def _insert(self, row: tuple[Any, ...]) -> None:
        with closing(sqlite3.connect(self.path)) as db, db:
            db.execute(
                "INSERT INTO answers (chat_id, " + ", ".join(_COLUMNS) + ") "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )

    def _select(self, chat_id: str) -> list[dict[str, Any]]:
        with closing(sqlite3.connect(self.path)) as db:
            rows = db.execute(
                "SELECT " + ", ".join(_COLUMNS) + " FROM answers "
                "WHERE chat_id = ? ORDER BY id",
                (chat_id,),
            ).fetchall()
        return [dict(zip(_COLUMNS, row)) for row in rows]
