// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * Entry point of the extension-host suite, called by both runners (code-server through the
 * workbench URL payload, @vscode/test-electron through `extensionTestsPath`). It runs mocha inside
 * the extension host, where `require('vscode')` is the real API. Mocha comes from the toolchain
 * folder so that the main `npm ci` does not grow for a tier most contributors run in CI only.
 */
'use strict';

const fs = require('node:fs');
const util = require('node:util');
const path = require('node:path');
const { createRequire } = require('node:module');

const TOOLCHAIN = path.resolve(__dirname, '..', 'toolchain', 'package.json');

const TAG = '[e2e] ';
const ONLY = process.env['E2E_ONLY']?.split(',').filter(Boolean);

/** Prefixes every line. @param {string} text */
function tag(text) {
  return text
    .split('\n')
    .map((l) => TAG + l)
    .join('\n');
}

/** Runs every `*.test.js` of this folder; rejects when a test fails, which the runner turns into exit code 1. */
async function run() {
  /** @type {typeof import('mocha')} */
  const Mocha = createRequire(TOOLCHAIN)('mocha');
  // The extension host forwards console output to the window as log records of its own; format
  // each reporter line here and tag it, so the runner can pick the suite's report out of the
  // workbench's log (test-electron prints it unchanged).
  Mocha.reporters.Base.consoleLog = (...args) => console.log(tag(util.format(...args)));
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false,
    // Safety net per test; each wait inside a test has its own, shorter, descriptive timeout.
    timeout: 90_000,
    // Files of this suite share one window and one server; a failure must not cascade silently.
    bail: false,
  });
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    // E2E_ONLY=connectivity,recovery runs the files whose name contains one of these (while
    // working on a feature).
    .filter((f) => !ONLY || ONLY.some((o) => f.includes(o)))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  const failures = await new Promise((resolve) => mocha.run(resolve));
  console.log(`${TAG}extension-host suite: ${failures} failure(s) in ${files.length} file(s)`);
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}

module.exports = { run };
