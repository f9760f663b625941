/** Facts about test/fixtures/host-workspace that several test files rely on. */
/** The answers to "Add Streaming Endpoint"'s prompts for the fixture's app (main.py). */
export const ENDPOINT = { file: 'main.py', variable: 'app', route: '/stream', method: 'GET', source: 'demo', resumable: false } as const;
