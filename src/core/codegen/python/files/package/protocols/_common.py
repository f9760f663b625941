"""What both protocols share: data-only events and the chat request bodies'
reading of a conversation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Optional

from pydantic import StrictStr
from starlette.exceptions import HTTPException

from ..events import EVENT_END, json_dumps

DONE_EVENT = b"data: [DONE]\n\n"

# The request bodies are Pydantic models that work on Pydantic 1 and 2; the
# types of their fields are aliases, which Pydantic reads at run time.
OptionalText = Optional[StrictStr]

_NO_USER_MESSAGE = (
    "The request has no user message with text: 'messages' must include "
    "at least one message with role 'user'."
)


def data_event(data: Any) -> bytes:
    """A data-only SSE event, as the AI SDK and OpenAI write them."""
    return b"data: " + json_dumps(data) + EVENT_END


def _no_user_message() -> HTTPException:
    return HTTPException(status_code=422, detail=_NO_USER_MESSAGE)


class Conversation:
    """What the routes read from either chat body: its (role, text) turns.

    Keys the bodies do not name are accepted and ignored; strings are strict
    (a number is not taken for text), so wrong types get FastAPI's 422.
    """

    def _turns(self) -> Iterable[tuple[str, str]]:
        raise NotImplementedError

    def message_texts(self) -> list[str]:
        """Each message's text, for the request limits (request_body.py)."""
        return [text for _, text in self._turns()]

    def last_user_text(self) -> str:
        """The text of the last user message; 422 if there is none."""
        text: str | None = None
        for role, content in self._turns():
            if role == "user" and content:
                text = content
        if text is None:
            raise _no_user_message()
        return text

    def chat_messages(self, *, system: bool = True) -> list[Any]:
        """The conversation as ``{"role", "content"}`` dicts (422 if no user).

        Text only, messages without text left out; ``system=False`` leaves
        out system messages too (Anthropic takes them apart from messages).
        The items are typed ``Any`` so that the list can be passed as the
        ``messages`` of any SDK, each of which types them its own way.
        """
        roles = ("system", "user", "assistant") if system else ("user", "assistant")
        conversation: list[dict[str, str]] = [
            {"role": role, "content": content}
            for role, content in self._turns()
            if role in roles and content
        ]
        if not any(message["role"] == "user" for message in conversation):
            raise _no_user_message()
        return conversation

    def system_prompt(self) -> str | None:
        """The system messages' text joined by blank lines; None if none.

        For providers that take the system prompt apart from the messages
        (Anthropic's ``system``), beside ``chat_messages(system=False)``.
        """
        texts = [text for role, text in self._turns() if role == "system" and text]
        return "\n\n".join(texts) if texts else None
