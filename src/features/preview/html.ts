/**
 * The preview's HTML: a fixed shell set once as `webview.html`; everything else arrives by postMessage.
 * No `vscode` import, so the Chromium tests load exactly this page.
 */

export interface PreviewHtmlOptions {
  /** `webview.cspSource`: where styles and fonts may come from. */
  readonly cspSource: string;
  /** A fresh random nonce for this page's one script. */
  readonly nonce: string;
  readonly scriptUri: string;
  readonly styleUri: string;
}

function attribute(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
}

export function previewHtml(options: PreviewHtmlOptions): string {
  const csp = [`default-src 'none'`, `style-src ${options.cspSource}`, `font-src ${options.cspSource}`, `script-src 'nonce-${options.nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attribute(options.styleUri)}">
<title>Stream Preview</title>
</head>
<body>
<div id="app"></div>
<script nonce="${attribute(options.nonce)}" src="${attribute(options.scriptUri)}"></script>
</body>
</html>
`;
}
