// SPDX-License-Identifier: Apache-2.0
/**
 * Reads the facts of every release again from upstream: the newest release from
 * ../shared/upstream/crds, older ones from the git snapshots named in sources.mjs (when they are on
 * this machine). Used by scripts/gen-release-history.mjs --extract and by the test that compares the
 * stored facts with upstream.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { crdSummary, kindFacts } from './crd-facts.mjs';
import { CRD_FILES, RELEASES } from './sources.mjs';

/** The text of a CRD at a release, or undefined when no source for it is on this machine. */
function crdText(product, kind, rel, { root, shared }) {
  const upstreamPath = CRD_FILES[product][kind];
  if (rel.shared) {
    const file = path.join(shared, 'upstream', 'crds', path.basename(upstreamPath));
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  }
  for (const dir of RELEASES[product].gitDirs) {
    const gitDir = path.resolve(root, dir);
    if (!fs.existsSync(gitDir)) continue;
    try {
      return execFileSync('git', ['--git-dir', gitDir, 'show', `${rel.commit}:${upstreamPath}`], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      // Not in this snapshot; try the next.
    }
  }
  return undefined;
}

/** Facts of one product from upstream, or the list of what could not be read. */
export function extractFacts(product, where) {
  const { repository, releases } = RELEASES[product];
  const missing = [];
  const kinds = {};
  for (const kind of Object.keys(CRD_FILES[product])) {
    const summaries = [];
    for (const rel of releases) {
      const text = crdText(product, kind, rel, where);
      if (text === undefined) {
        missing.push(`${kind} ${rel.release}`);
        continue;
      }
      summaries.push(crdSummary(parse(text)));
    }
    if (summaries.length === releases.length)
      kinds[kind] = {
        crd: CRD_FILES[product][kind],
        ...kindFacts(
          releases.map((r) => r.release),
          summaries,
        ),
      };
  }
  if (missing.length) return { missing };
  return {
    facts: {
      $comment: `Facts of the ${repository} CRDs per release, read by scripts/gen-release-history.mjs --extract; do not edit. Only what differs between releases is listed (see scripts/release-history/crd-facts.mjs).`,
      product,
      repository,
      releases: releases.map((r) => ({ release: r.release, commit: r.commit, source: r.note })),
      kinds,
    },
  };
}
