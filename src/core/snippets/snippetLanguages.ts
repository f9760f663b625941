/**
 * Snippets asked for by language (`snippet --lang ts|python|curl`, the editor's "which language" pick): each
 * language's client for a route. Python takes the official openai client where the route speaks Chat
 * Completions at .../chat/completions (what a Python user of such a route already has), httpx everywhere else.
 */
import { clientsFor, type ClientKind, type SnippetRoute } from './clientSnippets';

export const SNIPPET_LANGUAGES = ['ts', 'python', 'curl'] as const;
export type SnippetLanguage = (typeof SNIPPET_LANGUAGES)[number];

export function isSnippetLanguage(value: string): value is SnippetLanguage {
  return (SNIPPET_LANGUAGES as readonly string[]).includes(value);
}

/** The clients written in `language`, the preferred first. */
const LANGUAGE_CLIENTS: Readonly<Record<SnippetLanguage, readonly ClientKind[]>> = {
  ts: ['fetch', 'ai-sdk', 'openai-node', 'eventsource'],
  python: ['openai-python', 'httpx'],
  curl: ['curl'],
};

/** The language a client is written in. */
export function clientLanguage(client: ClientKind): SnippetLanguage {
  return SNIPPET_LANGUAGES.find((language) => LANGUAGE_CLIENTS[language].includes(client))!;
}

/** The `language` client that reads any route, whatever its protocol: fetch, httpx, curl. */
export function anyRouteClient(language: SnippetLanguage): ClientKind {
  return language === 'ts' ? 'fetch' : LANGUAGE_CLIENTS[language].at(-1)!;
}

/** The `language` client for `route`: ts fetch, python openai-python where it fits else httpx, curl curl. */
export function clientForLanguage(route: SnippetRoute, language: SnippetLanguage): ClientKind {
  const fitting = clientsFor(route);
  if (language === 'ts') {
    return anyRouteClient(language);
  }
  return LANGUAGE_CLIENTS[language].find((client) => fitting.includes(client)) ?? anyRouteClient(language);
}
