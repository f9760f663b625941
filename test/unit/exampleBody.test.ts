/** The body a POST route's preview starts with: the protocol's chat request, or the route's Pydantic model with examples. */
import assert from 'node:assert/strict';
import { analyzePythonModule } from '../../src/core/python/analysis';
import { exampleRequestBody } from '../../src/core/requests/exampleBody';

const MODULE = `
from typing import Annotated, Literal, Optional

from fastapi import FastAPI
from pydantic import BaseModel, Field

from .streaming import openai_chat_completion_stream, streaming_response, stream_tokens, ui_message_stream_response

app = FastAPI()


class Base(BaseModel):
    user_id: int


class Message(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class Ask(Base):
    """A question."""

    model_config = {"extra": "forbid"}
    prompt: str
    temperature: float = 0.2
    top_k: Optional[int] = None
    stream: bool
    tags: list[str]
    history: list[Message] = Field(default_factory=list)
    style: Annotated[str, Field(min_length=1)] = Field(examples=["terse"])
    meta: dict[str, str]
    reply_to: "Message"
    _secret: str = "x"


@app.post("/ask")
async def ask(body: Ask):
    return streaming_response(stream_tokens(source(body)))


@app.post("/api/chat")
async def chat(body: UIChatRequest):
    return ui_message_stream_response(source(body))


@app.post("/v1/chat/completions")
async def completions(body: ChatCompletionRequest):
    return streaming_response(openai_chat_completion_stream(source(body), model=body.model))


@app.post("/plain")
async def plain(request: Request):
    return streaming_response(stream_tokens(source(request)))


@app.post("/json")
async def json_route(request: Request) -> dict[str, str]:
    return {}
`;

describe('exampleRequestBody', () => {
  it('gives each route the body it accepts', async () => {
    const analysis = await analyzePythonModule(MODULE);
    try {
      const body = (path: string) => {
        const route = analysis.routes.find((r) => r.path === path)!;
        const text = exampleRequestBody(analysis, route);
        return text === undefined ? undefined : (JSON.parse(text) as unknown);
      };
      assert.deepEqual(body('/ask'), {
        user_id: 1,
        prompt: 'Hello!',
        temperature: 0.2,
        top_k: null,
        stream: true,
        tags: ['string'],
        history: [{ role: 'user', content: 'Hello!' }],
        style: 'terse',
        meta: {},
        reply_to: { role: 'user', content: 'Hello!' },
      });
      assert.deepEqual(body('/api/chat'), {
        id: 'chat-1',
        messages: [{ id: 'message-1', role: 'user', parts: [{ type: 'text', text: 'Hello!' }] }],
        trigger: 'submit-message',
      });
      assert.deepEqual(body('/v1/chat/completions'), { model: 'catalyst', messages: [{ role: 'user', content: 'Hello!' }], stream: true });
      assert.deepEqual(body('/plain'), { prompt: 'Hello!' }, 'an sse route without a model: our routes read {"prompt"}');
      assert.equal(body('/json'), undefined, 'a route that does not stream gets none');
    } finally {
      analysis.dispose();
    }
  });
});
