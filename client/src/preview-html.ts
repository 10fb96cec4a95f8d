// SPDX-License-Identifier: Apache-2.0
/**
 * The preview webview's HTML shell: a strict Content-Security-Policy with a per-load nonce, the
 * stylesheet and script from `media/`, and an empty root the script fills. Pure so the policy is
 * unit-tested; nothing from a document ever goes into this HTML (data arrives by `postMessage`
 * and is written with `textContent`).
 */
import { randomBytes } from 'node:crypto';

/** What the shell needs from the webview. */
export interface PreviewHtmlParts {
  /** `webview.cspSource`. */
  readonly cspSource: string;
  readonly nonce: string;
  /**
   * `webview.asWebviewUri(…)` of the scripts, as strings, in load order: the frame
   * (`media/preview.js`) first, then one renderer per section (`media/sections/<kind>.js`).
   */
  readonly scriptUris: readonly string[];
  /** `webview.asWebviewUri(media/preview.css)`, as a string. */
  readonly styleUri: string;
}

/** A fresh nonce: 128 random bits, base64 without padding (a valid CSP nonce). */
export function makeNonce(): string {
  return randomBytes(16).toString('base64').replace(/=+$/, '');
}

/** The Content-Security-Policy: nothing but our stylesheet, our script and local images. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
  ].join('; ');
}

/** Escapes a value for an HTML attribute. Only our own URIs and nonce go here, but be safe anyway. */
export function attr(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The whole HTML document of the panel. */
export function previewHtml(parts: PreviewHtmlParts): string {
  const csp = contentSecurityPolicy(parts.cspSource, parts.nonce);
  const nonce = attr(parts.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${nonce}" href="${attr(parts.styleUri)}">
<title>Endpoint Preview</title>
</head>
<body>
<main id="root" aria-live="polite"><p class="message">Loading the preview…</p></main>
${parts.scriptUris.map((u) => `<script nonce="${nonce}" src="${attr(u)}"></script>`).join('\n')}
</body>
</html>`;
}
