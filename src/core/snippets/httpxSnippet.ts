/**
 * The Python client of any streaming route: httpx, with a small SSE reader over `response.iter_lines()` (the
 * pinned stacks have no httpx-sse, and a user's project may not either). The reader follows the HTML
 * standard's event-stream rules that matter to these routes: `event:` and `data:` fields, one leading space
 * dropped from a value, several `data:` lines joined with `\n`, `:` comment lines skipped, an event dispatched
 * at the blank line that ends it and only when it has data, an unfinished last event discarded.
 *
 * Every value placed in the code goes through core/codegen/escape.ts: the route's path in the docstring
 * (pythonStringBody), its URL in a string literal (pythonString over urlPath).
 */
import type { SnippetRoute } from './snippetRoute';
import { pythonString as py, pythonStringBody, urlPath } from '../codegen/escape';
import { EXAMPLE_PROMPT, protocolRequestBody, type JsonValue } from '../requests/protocolBodies';

/** The request: GET sse routes take `?prompt=`, every POST its protocol's JSON body. */
function request(route: SnippetRoute): string {
  if (route.method === 'GET') {
    return `httpx.stream("GET", STREAM_URL, params={"prompt": prompt}, headers=HEADERS, timeout=TIMEOUT)`;
  }
  return `httpx.stream(${py(route.method)}, STREAM_URL, json=request_body(prompt), headers=HEADERS, timeout=TIMEOUT)`;
}

/** A JSON value as a Python expression, `indent` spaces deep; strings through pythonString, `prompt` where the value is `marker`. */
function pythonValue(value: JsonValue, indent: string, marker: string): string {
  if (value === marker) {
    return 'prompt';
  }
  if (typeof value === 'string') {
    return py(value);
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  if (value === null) {
    return 'None';
  }
  if (typeof value === 'number') {
    return String(value);
  }
  const inner = `${indent}    `;
  if (Array.isArray(value)) {
    return `[\n${value.map((item: JsonValue) => `${inner}${pythonValue(item, inner, marker)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Readonly<Record<string, JsonValue>>);
  return `{\n${entries.map(([key, item]) => `${inner}${py(key)}: ${pythonValue(item, inner, marker)},`).join('\n')}\n${indent}}`;
}

function requestBody(route: SnippetRoute): string {
  if (route.method === 'GET') {
    return '';
  }
  // The protocol's body with the prompt in its place: the shape is fixed, only the prompt varies.
  const marker = '\u0000prompt\u0000';
  return `

def request_body(prompt: str) -> dict[str, Any]:
    """The JSON body this route reads."""
    return ${pythonValue(protocolRequestBody(route.protocol, marker), '    ', marker)}
`;
}

/** The loop body for one event: yields ("text" | "reasoning", str) or ("tool_call", dict). */
function readEvents(route: SnippetRoute): string {
  switch (route.protocol) {
    case 'sse':
      return `        for name, data in sse_events(response.iter_lines()):
            payload = json.loads(data)
            if name == "token":
                yield "text", payload["text"]
            elif name == "reasoning":
                yield "reasoning", payload["text"]
            elif name == "tool_call":
                # \`input\` is the parsed arguments; \`arguments\` the raw text when they were not JSON.
                yield "tool_call", {"id": payload["id"], "name": payload["name"], "input": payload.get("input", payload.get("arguments"))}
            elif name == "error":
                raise RuntimeError(f"{payload['type']}: {payload['message']}")
            elif name == "done":
                return`;
    case 'ai-sdk':
      return `        for _, data in sse_events(response.iter_lines()):
            if data == "[DONE]":
                return
            chunk = json.loads(data)
            if chunk["type"] == "text-delta":
                yield "text", chunk["delta"]
            elif chunk["type"] == "reasoning-delta":
                yield "reasoning", chunk["delta"]
            elif chunk["type"] == "tool-input-available":
                yield "tool_call", {"id": chunk["toolCallId"], "name": chunk["toolName"], "input": chunk["input"]}
            elif chunk["type"] == "error":
                raise RuntimeError(chunk["errorText"])`;
    case 'openai':
      return `        # Tool calls arrive in fragments keyed by index; they are complete when the choice finishes.
        calls: dict[int, dict[str, str]] = {}
        for _, data in sse_events(response.iter_lines()):
            if data == "[DONE]":
                return
            chunk = json.loads(data)
            if chunk.get("error"):
                raise RuntimeError(chunk["error"]["message"])
            if not chunk.get("choices"):
                continue  # The usage chunk (stream_options.include_usage) has no choices.
            choice = chunk["choices"][0]
            delta = choice.get("delta") or {}
            if delta.get("reasoning_content"):
                yield "reasoning", delta["reasoning_content"]
            if delta.get("content"):
                yield "text", delta["content"]
            for fragment in delta.get("tool_calls") or []:
                call = calls.setdefault(fragment["index"], {"id": "", "name": "", "arguments": ""})
                call["id"] = call["id"] or fragment.get("id") or ""
                function = fragment.get("function") or {}
                call["name"] += function.get("name") or ""
                call["arguments"] += function.get("arguments") or ""
            if choice.get("finish_reason"):
                for call in calls.values():
                    yield "tool_call", {"id": call["id"], "name": call["name"], "input": json.loads(call["arguments"] or "{}")}
                calls.clear()`;
  }
}

const WHAT: Readonly<Record<SnippetRoute['protocol'], string>> = {
  sse: 'Catalyst SSE events (token, reasoning, tool_call, done, error)',
  'ai-sdk': 'the Vercel AI SDK UI message stream v1',
  openai: 'OpenAI Chat Completions chunks',
};

export function httpxSnippet(route: SnippetRoute, base: string): string {
  return `"""${route.method} ${pythonStringBody(route.path)}: ${WHAT[route.protocol]}, read with httpx (pip install httpx)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import httpx

STREAM_URL = ${py(base + urlPath(route.path))}
HEADERS = {"Accept": "text/event-stream"}
# No read timeout: a stream may stay quiet for a while between events.
TIMEOUT = httpx.Timeout(10.0, read=None)


def sse_events(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(event type, data) for each event of a text/event-stream, read as the HTML standard reads one."""
    name = ""
    data: list[str] = []
    for line in lines:
        if line == "":
            if data:
                yield name or "message", "\\n".join(data)
            name, data = "", []
            continue
        if line.startswith(":"):
            continue  # A comment (keep-alive pings).
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
${requestBody(route)}

def stream_reply(prompt: str) -> Iterator[tuple[str, Any]]:
    """Streams the reply to \`prompt\`: ("text", str), ("reasoning", str) and ("tool_call", dict) as they arrive."""
    with ${request(route)} as response:
        if response.is_error:
            response.read()
            raise RuntimeError(f"${route.method} {STREAM_URL} failed: HTTP {response.status_code} {response.text}")
${readEvents(route)}


if __name__ == "__main__":
    # Example: remove it when you call stream_reply from your own code.
    text = ""
    reasoning = ""
    for kind, value in stream_reply(${py(EXAMPLE_PROMPT)}):
        if kind == "text":
            text += value
        elif kind == "reasoning":
            reasoning += value
        else:
            print("tool call:", value["name"], json.dumps(value["input"], separators=(",", ":"), ensure_ascii=False))
    print("reasoning:", reasoning)
    print("text:", text)
`;
}
