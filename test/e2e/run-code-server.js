// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * Runs the extension-host suite (`test/e2e/suite/index.js`) in a real VS Code: code-server 4.100.3
 * (VS Code 1.100.3) with Debian's chromium as the window. The extension is loaded from this
 * checkout as a development extension and the suite as `extensionTestsPath`, both passed in the
 * workbench URL payload, which is how the web workbench accepts what the desktop takes as
 * `--extensionDevelopmentPath`/`--extensionTestsPath`. The workbench reports the suite's result
 * by calling `window.codeAutomationExit(code)`, which Playwright exposes to this process.
 *
 * Usage: node test/e2e/run-code-server.js   (after `npm run build` and toolchain/setup.sh)
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const cs = require('./lib/code-server.js');

const SUITE = path.join(cs.E2E_ROOT, 'suite', 'index.js');
/** The whole suite, including the server's first start; generous for a loaded 2-core CI box. */
const SUITE_TIMEOUT_MS = 6 * 60_000;

async function main() {
  for (const f of ['dist/extension.js', 'dist/server.js']) {
    if (!fs.existsSync(path.join(cs.REPO_ROOT, f))) throw new Error(`${f} is missing; run npm run build first`);
  }
  const started = Date.now();
  const workspace = cs.copyWorkspace();
  const server = await cs.startCodeServer({
    log: (l) => process.env['E2E_VERBOSE'] && console.log(`[code-server] ${l}`),
  });
  let browser;
  try {
    browser = await cs.launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    /** @type {(code: number) => void} */
    let finish = () => undefined;
    const exitCode = new Promise((resolve) => (finish = resolve));
    await page.exposeFunction('codeAutomationExit', (/** @type {number} */ code) => finish(code));
    // The suite's report (lines tagged `[e2e] ` by suite/index.js) and the extension host's errors
    // reach us as the page's console, wrapped in the workbench's log format; the rest of the
    // workbench's log (and the offline gallery's failed lookups) is left out unless E2E_VERBOSE is set.
    page.on('console', (msg) => {
      const text = msg.text().replace(/^%c\s*(INFO|ERR|WARN|TRACE|DEBUG)\s+color:\s*#\w+\s?/, '');
      if (process.env['E2E_VERBOSE']) return console.log(text);
      if (text.includes('[e2e] '))
        return console.log(
          text
            .split('\n')
            .map((l) => l.replace(/^\[e2e\] /, ''))
            .join('\n'),
        );
      if (msg.type() === 'error' && !/ENOTFOUND|ERR_NAME_NOT_RESOLVED|open-vsx|Failed to load resource/.test(text))
        console.log(`[window error] ${text}`);
    });
    page.on('pageerror', (err) => console.log(`[page error] ${err.message}`));
    const url = cs.workbenchUrl(server.base, workspace, [
      ['extensionDevelopmentPath', cs.remoteUri(server.base, cs.REPO_ROOT)],
      ['extensionTestsPath', cs.remoteUri(server.base, SUITE)],
    ]);
    console.log(`code-server ${server.base}, workspace ${workspace}`);
    await page.goto(url);
    const code = await cs.withTimeout(
      exitCode,
      SUITE_TIMEOUT_MS,
      'the extension-host suite to finish (codeAutomationExit)',
    );
    console.log(`extension-host suite exited with ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return Number(code) === 0 ? 0 : 1;
  } catch (err) {
    console.error(server.logText().split('\n').slice(-40).join('\n'));
    throw err;
  } finally {
    await browser?.close().catch(() => undefined);
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
