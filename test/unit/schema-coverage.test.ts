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
 * Deliberate differences, keyed by `<kind> <path>` (`*` matches any run of characters, e.g. a trailing `*`
 * any suffix, a leading one any prefix), each with why.
 * Keep this list short: every entry is a place where we knowingly disagree with the CRD.
 */
export const ALLOWED_DIFFERENCES: Record<string, string> = {
  // The CRD's CEL rule "spec or specs must be provided" is a root anyOf in ours.
  'CiliumNetworkPolicy ': 'root anyOf spec|specs replaces the CEL rule',
  // 1.19 also had `kafka` and `l7proto` as L7 protocols; they stay choices, and the version keyword reports them for 1.20.
  'CiliumNetworkPolicy *.toPorts[].rules': 'oneOf also admits kafka and l7proto (removed in 1.20, version-annotated)',
  // 1.20 keeps fromRequires/toRequires as empty string lists; 1.19 took endpoint selectors. The version keyword
  // reports a non-empty list for 1.20 with both releases named, instead of maxItems 0.
  'CiliumNetworkPolicy *.fromRequires': 'no maxItems 0: version-annotated instead',
  'CiliumNetworkPolicy *.fromRequires[]': 'items are 1.19 endpoint selectors, not strings',
  'CiliumNetworkPolicy *.toRequires': 'no maxItems 0: version-annotated instead',
  'CiliumNetworkPolicy *.toRequires[]': 'items are 1.19 endpoint selectors, not strings',
  // The clusterwide kind shares the rule definition, hence the same four differences.
  'CiliumClusterwideNetworkPolicy ': 'root anyOf spec|specs replaces the CEL rule',
  'CiliumClusterwideNetworkPolicy *.toPorts[].rules':
    'oneOf also admits kafka and l7proto (removed in 1.20, version-annotated)',
  'CiliumClusterwideNetworkPolicy *.fromRequires': 'no maxItems 0: version-annotated instead',
  'CiliumClusterwideNetworkPolicy *.fromRequires[]': 'items are 1.19 endpoint selectors, not strings',
  'CiliumClusterwideNetworkPolicy *.toRequires': 'no maxItems 0: version-annotated instead',
  'CiliumClusterwideNetworkPolicy *.toRequires[]': 'items are 1.19 endpoint selectors, not strings',
  // Kubernetes fills `metadata` in, so the CRD leaves it open; we describe ObjectMeta and require a name
  // only where the agent does (see the kind schemas). Nothing to allow here yet.
  // TracingPolicy and TracingPolicyNamespaced need no entries: their CEL rules are `not`/`if` nodes,
  // which the comparison does not see, so the schemas match the CRDs path for path.
};

function allowed(kind: string, path: string): boolean {
  return Object.keys(ALLOWED_DIFFERENCES).some((k) => {
    const [kk, p] = k.split(' ');
    if (kk !== kind || p === undefined) return false;
    const re = new RegExp(
      `^${p
        .split('*')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    return re.test(path);
  });
}

const files = loadSchemaFiles();
let totalPaths = 0;
let totalCovered = 0;

// Our own kinds (PolicyTest) have no upstream CRD, and a Kubernetes NetworkPolicy has no schema of ours.
for (const kind of KINDS.filter((k) => CRD_FILES[k.kind] !== undefined && k.schemaPath !== null)) {
  test(`schema for ${kind.kind} covers the upstream CRD`, (t) => {
    const crdPath = shared('upstream', 'crds', CRD_FILES[kind.kind]!);
    if (!crdPath || !fs.existsSync(crdPath)) {
      t.skip(NO_SHARED);
      return;
    }
    const crd = parse(fs.readFileSync(crdPath, 'utf8')) as {
      spec: { versions: { schema: { openAPIV3Schema: Record<string, unknown> } }[] };
    };
    const report = compareWithCrd(crd.spec.versions[0]!.schema.openAPIV3Schema, files, kind.schemaPath!);
    const real = report.mismatches.filter((m) => !allowed(kind.kind, m.path));
    const allowedCount = report.mismatches.length - real.length;
    totalPaths += report.paths.length;
    totalCovered += report.covered + allowedCount;
    const pct = ((100 * (report.covered + allowedCount)) / report.paths.length).toFixed(1);
    t.diagnostic(
      `${kind.kind}: ${report.covered + allowedCount}/${report.paths.length} property paths match (${pct}%), ${allowedCount} allow-listed`,
    );
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
