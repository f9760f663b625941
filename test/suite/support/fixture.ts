/** Facts about test/fixtures/host-workspace that several test files rely on. */
import path from 'node:path';

/** The answers to "Add Streaming Endpoint"'s prompts for the fixture's app (main.py). */
export const ENDPOINT = { file: 'main.py', variable: 'app', route: '/stream', method: 'GET', source: 'demo' } as const;

/**
 * Environment for running the fixture's chat service: the SDK stand-ins of test/fixtures/llm/stubs (the real
 * anthropic/openai/groq packages cannot be installed here) on PYTHONPATH, answering with `tokens` and logging
 * "open <api>", "event <type>" and "close <api>" lines to `log`.
 */
export function standinEnvironment(extensionPath: string, tokens: readonly string[], log: string): Record<string, string> {
  return {
    PYTHONPATH: path.join(extensionPath, 'test', 'fixtures', 'llm', 'stubs'),
    CATALYST_STANDIN_TOKENS: JSON.stringify(tokens),
    CATALYST_STANDIN_LOG: log,
  };
}
