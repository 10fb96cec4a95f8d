#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
/**
 * The release history of our schemas: which fields, enum values and constraints each Cilium
 * (1.16–1.20) and Tetragon (1.4–1.8) release accepts, generated, never written by hand.
 *
 *   node scripts/gen-release-history.mjs            check: exit 1 when schemas/release-history.json
 *                                                   is not what the facts and the schemas give
 *   node scripts/gen-release-history.mjs --write    write schemas/release-history.json
 *   node scripts/gen-release-history.mjs --extract  read the upstream CRDs of every release again
 *                                                   (../shared/upstream/crds and the git snapshots named in
 *                                                   scripts/release-history/sources.mjs) and rewrite the facts,
 *                                                   scripts/release-history/{cilium,tetragon}.json
 *   node scripts/gen-release-history.mjs --extract --check   only compare the facts with upstream
 *
 * The facts are what we keep of the upstream CRDs (paths, enum values, validation keywords; no
 * upstream text). schemas/PROVENANCE.md describes the sources; scripts/release-history/history.mjs
 * turns facts into annotations of our schemas.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractFacts } from './release-history/extract.mjs';
import { buildHistory, readRawSchemas, stableJson } from './release-history/history.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FACTS_DIR = path.join(ROOT, 'scripts', 'release-history');
const HISTORY = path.join(ROOT, 'schemas', 'release-history.json');
const SHARED = process.env.CILIUM_POLICY_SHARED ?? path.join(ROOT, '..', 'shared');

const args = process.argv.slice(2);
const write = args.includes('--write');
const extract = args.includes('--extract');
const checkOnly = args.includes('--check') || (!write && !extract);

function readFacts(product) {
  return JSON.parse(fs.readFileSync(path.join(FACTS_DIR, `${product}.json`), 'utf8'));
}

let failed = false;
if (extract) {
  for (const product of ['cilium', 'tetragon']) {
    const file = path.join(FACTS_DIR, `${product}.json`);
    const { facts, missing } = extractFacts(product, { root: ROOT, shared: SHARED });
    if (!facts) {
      console.error(`${product}: cannot read ${missing.join(', ')}; facts left as they are`);
      failed = true;
      continue;
    }
    const text = stableJson(facts);
    const now = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (text === now) console.log(`${product}: facts match upstream`);
    else if (checkOnly) {
      console.error(`${product}: facts differ from upstream; run with --extract to rewrite them`);
      failed = true;
    } else {
      fs.writeFileSync(file, text);
      console.log(`${product}: facts written to ${path.relative(ROOT, file)}`);
    }
  }
}
if (!extract || write) {
  const history = buildHistory(readRawSchemas(path.join(ROOT, 'schemas')), {
    cilium: readFacts('cilium'),
    tetragon: readFacts('tetragon'),
  });
  const text = stableJson(history);
  const now = fs.existsSync(HISTORY) ? fs.readFileSync(HISTORY, 'utf8') : '';
  if (text === now) console.log('schemas/release-history.json is up to date');
  else if (write) {
    fs.writeFileSync(HISTORY, text);
    console.log('schemas/release-history.json written');
  } else {
    console.error('schemas/release-history.json differs from what the facts give; run with --write');
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
