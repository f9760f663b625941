"""A chat back end for useChat that keeps every conversation in SQLite.

POST /api/chat is the route ``catalyst-streaming add-endpoint --protocol ai-sdk --source openai
--on-disconnect finish`` writes, with its on_finish hook filled in: each answer is saved with the
question that asked for it and the provider's token counts (conversations.py, the standard
library's sqlite3), also when the user closed the page mid-answer. GET /api/chats/{chat_id} reads a
conversation back. The streaming/ package beside this file is written by
``catalyst-streaming generate package --out streaming`` (see README.md).
"""

import functools
import os
from typing import Any

from fastapi import FastAPI, Request
from openai import AsyncOpenAI

from conversations import Conversations
from streaming.finish import FinishResult
from streaming.lifecycle import with_on_finish
from streaming.protocols.ai_sdk import UIChatRequest, ui_message_stream_response
from streaming.providers.openai import openai_stream_parts
from streaming.request_body import read_body
from streaming.response import EventStreamResponse

MODEL = "gpt-4o-mini"

app = FastAPI()
conversations = Conversations(os.environ.get("CHAT_DB", "chats.sqlite3"))


@functools.cache
def openai_client() -> AsyncOpenAI:
    """The app's OpenAI client, made on first use.

    One client for the life of the app reuses its connections, and
    making it lazily lets the app start without OPENAI_API_KEY set.
    """
    return AsyncOpenAI()


async def on_api_chat_finish(chat_id: str, question: str, result: FinishResult) -> None:
    """Save a finished answer: called once per answer.

    POST /api/chat hands each answer here once it ended, however it
    ended. The chat's id and the question come first, bound by the
    route with functools.partial: on_finish itself gets the result.
    """
    await conversations.save(chat_id, question, result)


@app.post("/api/chat")
async def api_chat(request: Request) -> EventStreamResponse:
    """Stream the reply to the chat as the Vercel AI SDK UI message stream."""
    body: UIChatRequest = await read_body(request, UIChatRequest)
    chunks = openai_client().chat.completions.create(
        model=MODEL,
        messages=body.chat_messages(),
        stream=True,
        stream_options={"include_usage": True},
    )
    answer = with_on_finish(
        openai_stream_parts(chunks),
        functools.partial(on_api_chat_finish, body.id, body.last_user_text()),
        model=MODEL,
        on_disconnect="finish",
    )
    return ui_message_stream_response(answer, model=MODEL)


@app.get("/api/chats/{chat_id}")
async def read_chat(chat_id: str) -> list[dict[str, Any]]:
    """The saved answers of one chat, oldest first."""
    return await conversations.read(chat_id)
