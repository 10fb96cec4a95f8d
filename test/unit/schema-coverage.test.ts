// SPDX-License-Identifier: Apache-2.0
/**
 * Our schemas must describe every property path of the upstream CRDs with the same type, enum
 * values, required-ness, pattern/format and limits. Deliberate differences are allow-listed below,
 * each with its reason.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { parse } from 'yaml';
import { KINDS } from '../../server/src/core/kinds.js';
import { loadSchemaFiles } from '../../server/src/io/schema-files.js';
import { compareWithCrd } from '../support/crd-coverage.js';
import { NO_SHARED, shared } from '../support/paths.js';

/** Upstream CRD file per kind, below `../shared/upstream/crds/`. */
const CRD_FILES: Record<string, string> = {
  CiliumNetworkPolicy: 'ciliumnetworkpolicies.yaml',
  CiliumClusterwideNetworkPolicy: 'ciliumclusterwidenetworkpolicies.yaml',
  CiliumEnvoyConfig: 'ciliumenvoyconfigs.yaml',
  CiliumClusterwideEnvoyConfig: 'ciliumclusterwideenvoyconfigs.yaml',
  TracingPolicy: 'cilium.io_tracingpolicies.yaml',
  TracingPolicyNamespaced: 'cilium.io_tracingpoliciesnamespaced.yaml',
};

/**
 * Deliberate differences, keyed by `<kind> <path>` (a trailing `*` matches any suffix), each with why.
 * Keep this list short: every entry is a place where we knowingly disagree with the CRD.
 */
export const ALLOWED_DIFFERENCES: Record<string, string> = {
  // Kubernetes fills `metadata` in, so the CRD leaves it open; we describe ObjectMeta and require a name
  // only where the agent does (see the kind schemas). Nothing to allow here yet.
};

function allowed(kind: string, path: string): boolean {
  return Object.keys(ALLOWED_DIFFERENCES).some((k) => {
    const [kk, p] = k.split(' ');
    if (kk !== kind || p === undefined) return false;
    return p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : p === path;
  });
}

const files = loadSchemaFiles();
let totalPaths = 0;
let totalCovered = 0;

for (const kind of KINDS) {
  test(`schema for ${kind.kind} covers the upstream CRD`, (t) => {
    const crdPath = shared('upstream', 'crds', CRD_FILES[kind.kind]!);
    if (!crdPath || !fs.existsSync(crdPath)) {
      t.skip(NO_SHARED);
      return;
    }
    const crd = parse(fs.readFileSync(crdPath, 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: Record<string, unknown> } }[] } };
    const report = compareWithCrd(crd.spec.versions[0]!.schema.openAPIV3Schema, files, kind.schemaPath);
    const real = report.mismatches.filter((m) => !allowed(kind.kind, m.path));
    const allowedCount = report.mismatches.length - real.length;
    totalPaths += report.paths.length;
    totalCovered += report.covered + allowedCount;
    const pct = ((100 * (report.covered + allowedCount)) / report.paths.length).toFixed(1);
    t.diagnostic(`${kind.kind}: ${report.covered + allowedCount}/${report.paths.length} property paths match (${pct}%), ${allowedCount} allow-listed`);
    console.log(`coverage ${kind.kind}: ${report.covered + allowedCount}/${report.paths.length} (${pct}%)`);
    assert.deepEqual(
      real.slice(0, 40).map((m) => `${m.path}: ${m.what}`),
      [],
      `${real.length} mismatches with the upstream CRD`,
    );
  });
}

test('overall schema coverage figure', (t) => {
  if (totalPaths === 0) {
    t.skip(NO_SHARED);
    return;
  }
  const pct = ((100 * totalCovered) / totalPaths).toFixed(2);
  console.log(`schema coverage: ${totalCovered}/${totalPaths} upstream property paths (${pct}%)`);
  assert.equal(totalCovered, totalPaths);
});
