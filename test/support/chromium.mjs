// @ts-check
/**
 * The one Chromium every browser test uses (Debian's, through playwright-core, headless): the webview tests and
 * the benchmark (test/integration/webviewHarness.ts) and the extension-host runner's workbench
 * (test/host/workbench.mjs). Plain ESM, so the host runner (Node without tsx) imports it as well.
 */

/** Debian's chromium; CATALYST_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env.CATALYST_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for every launch (playwright adds --headless itself with `headless: true`, its default). */
export const CHROMIUM_ARGS = [
  // Tests run as root in a container, where Chromium's sandbox cannot start.
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Every name resolves to nothing except the loopback servers: the page cannot reach the network.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
];
