"""The same token source, encoded for the clients people already use.

- ``ai_sdk``: the Vercel AI SDK's UI message stream (``useChat``) and the body
  it posts.
- ``openai_chat``: OpenAI Chat Completions, streamed or not, and its request.

Each encoder yields one complete SSE event per chunk, closes the source when
the stream ends for any reason, and turns a source error into its protocol's
error (a generic message unless ``expose_errors``) after logging it.
"""
