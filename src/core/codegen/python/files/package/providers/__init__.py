"""Adapters from LLM SDKs' async streams to token sources.

- ``anthropic``: Anthropic Messages streams.
- ``openai``: Chat Completions (OpenAI, Azure OpenAI, Groq, LiteLLM, ...) and
  the Responses API.
- ``langchain``: a LangChain chat model's ``astream(...)``.

Each adapter closes the provider stream when it ends for any reason. The SDKs
are not imported: small Protocols describe what the adapters read, so these
modules type-check and import whether or not an SDK is installed.
"""
