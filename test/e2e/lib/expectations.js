// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * What the fixtures of `test/e2e/workspace/` must raise, shared by the VS Code suite and the
 * Neovim test. Positions are never written down: they are found by searching the fixture text
 * for the offending token, so an edited fixture moves its expectation with it.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * @typedef {{ kind: string, file: string, needle: string, bad: string, code: string, hoverKey: string }} BrokenFixture
 * `needle` is a unique piece of text containing `bad`; the diagnostic must cover exactly `bad` there.
 */

/** @type {readonly BrokenFixture[]} One broken policy of each of the six kinds. */
const BROKEN = [
  {
    kind: 'CiliumNetworkPolicy',
    file: 'broken/network-policy.yaml',
    needle: '  ingres:',
    bad: 'ingres',
    code: 'schema/unknown-field',
    hoverKey: 'endpointSelector',
  },
  {
    kind: 'CiliumClusterwideNetworkPolicy',
    file: 'broken/clusterwide-network-policy.yaml',
    needle: 'protocol: TCPP',
    bad: 'TCPP',
    code: 'schema/enum',
    hoverKey: 'endpointSelector',
  },
  {
    kind: 'CiliumEnvoyConfig',
    file: 'broken/envoy-config.yaml',
    needle: 'listner:',
    bad: 'listner',
    code: 'schema/unknown-field',
    hoverKey: 'services',
  },
  {
    kind: 'CiliumClusterwideEnvoyConfig',
    file: 'broken/clusterwide-envoy-config.yaml',
    needle: 'servics:',
    bad: 'servics',
    code: 'schema/unknown-field',
    hoverKey: 'resources',
  },
  {
    kind: 'TracingPolicy',
    file: 'broken/tracing-policy.yaml',
    needle: 'syscal:',
    bad: 'syscal',
    code: 'schema/unknown-field',
    hoverKey: 'kprobes',
  },
  {
    kind: 'TracingPolicyNamespaced',
    file: 'broken/tracing-policy-namespaced.yaml',
    needle: 'selectrs:',
    bad: 'selectrs',
    code: 'schema/unknown-field',
    hoverKey: 'tracepoints',
  },
];

/** The multi-document file: a Deployment first, then a broken CNP and a broken TracingPolicy. */
const MIXED = {
  file: 'mixed.yaml',
  /** Findings expected in the policies after the Deployment. */
  expected: [
    { needle: 'protocol: TCPP', bad: 'TCPP', code: 'schema/enum' },
    { needle: 'syscal:', bad: 'syscal', code: 'schema/unknown-field' },
  ],
};

/** A typo'd key with a preferred rename fix. */
const QUICK_FIX = {
  file: 'quick-fix.yaml',
  needle: 'namspace:',
  bad: 'namspace',
  code: 'schema/unknown-field',
  fixed: 'namespace',
  title: 'Rename `namspace` to `namespace`',
};

/** A lint-rule finding the settings test turns off through `ciliumPolicy.rules`. */
const RULE_OFF = { file: 'invalid-port.yaml', needle: '"8080-8090"', code: 'cilium/invalid-port' };

/** The preview target and the selector whose workloads are checked. */
const PREVIEW = {
  file: 'policies/backend.yaml',
  workloads: 'apps.yaml',
  selectorLabel: { tier: 'back' },
  nothingCode: 'cilium/selects-nothing',
  nothingNeedle: 'app: ledger\n',
};

/**
 * The New Policy wizard's run: a template that selects a workload, the workload picked from the
 * workspace's manifests (apps.yaml), and lines the generated policy must hold.
 */
const WIZARD = {
  template: 'cnp-allow-from-pods',
  templateLabel: 'allow from pods',
  workload: 'api',
  // Named after the workload and the template, selected by its own selector (`app: api`, not the
  // pod label `tier: back`), admitting traffic on its container port.
  expectLines: ['name: api-allow-from-pods', 'namespace: shop', 'app: api', 'port: "8080"'],
  absentLines: ['tier: back'],
};

/**
 * The Endpoints view's walk: a namespace and a workload of apps.yaml, a policy that selects it
 * (the preview target), and where "Open manifest" must land: the `metadata.name` of the workload.
 */
const ENDPOINTS = {
  namespace: 'shop',
  workload: 'api',
  policy: 'shop/backend',
  manifest: 'apps.yaml',
  nameNeedle: 'metadata:\n  name: api\n',
};

/**
 * The webview safety fixture: workloads whose label values are hostile, and a policy whose
 * selectors use the same values. The values are read from the workloads file, so an edit there
 * moves the expectation with it.
 */
const HOSTILE = {
  policy: 'hostile/policy.yaml',
  workloads: 'hostile/workloads.yaml',
  /** The policy's namespace and name, and a workload it selects (with every hostile label). */
  namespace: 'hostile',
  name: 'hostile-labels',
  workload: 'gadget',
  values: hostileValues(
    fs.readFileSync(path.join(REPO_ROOT, 'test', 'e2e', 'workspace', 'hostile', 'workloads.yaml'), 'utf8'),
  ),
};

/**
 * The label values of the `gadget` workload, by key, unquoted the YAML way (JSON-compatible
 * double-quoted scalars), without a YAML parser so this file loads in the Neovim test too.
 * @param {string} text
 * @returns {{ script: string, img: string, quotes: string, long: string }}
 */
function hostileValues(text) {
  /** @param {string} key */
  const value = (key) => {
    const m = new RegExp(`^ +${key}: (".*")$`, 'm').exec(text);
    if (!m) throw new Error(`hostile/workloads.yaml has no ${key} label`);
    return /** @type {string} */ (JSON.parse(/** @type {string} */ (m[1])));
  };
  return { script: value('script'), img: value('img'), quotes: value('quotes'), long: value('long') };
}

/**
 * Zero-based line and UTF-16 column of `bad` inside the first occurrence of `needle`.
 * @param {string} text
 * @param {string} needle
 * @param {string} [bad]
 * @returns {{ line: number, character: number }}
 */
function locate(text, needle, bad = needle) {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`fixture does not contain ${JSON.stringify(needle)}`);
  const inner = needle.indexOf(bad);
  if (inner < 0) throw new Error(`${JSON.stringify(needle)} does not contain ${JSON.stringify(bad)}`);
  const before = text.slice(0, at + inner);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - (before.lastIndexOf('\n') + 1) };
}

/**
 * Names of the workloads in a manifest file whose pod template (or pod) labels include every
 * label of `selector`, computed from the file so the preview expectation follows the fixture.
 * @param {string} manifestText
 * @param {Record<string, string>} selector
 * @param {(text: string) => unknown[]} parseAll YAML multi-document parser (the `yaml` package)
 */
function workloadsMatching(manifestText, selector, parseAll) {
  /** @type {string[]} */
  const names = [];
  for (const doc of parseAll(manifestText)) {
    const d = /** @type {any} */ (doc);
    if (!d || typeof d !== 'object') continue;
    const labels = d.kind === 'Pod' ? d.metadata?.labels : d.spec?.template?.metadata?.labels;
    if (!labels) continue;
    if (Object.entries(selector).every(([k, v]) => labels[k] === v)) names.push(String(d.metadata?.name));
  }
  return names.sort();
}

/** Markdown escapes punctuation; compare on letters and digits only. @param {string} s */
function words(s) {
  return s.replace(/[^A-Za-z0-9]+/g, ' ').trim();
}

/**
 * Every description our bundled schemas give a property of this name, so hover expectations
 * come from the schemas the extension ships rather than from a copy in the test.
 * @param {string} property
 */
function schemaDescriptions(property) {
  /** @type {string[]} */
  const out = [];
  /** @param {unknown} node */
  const walk = (node) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const obj = /** @type {Record<string, any>} */ (node);
    const props = obj['properties'];
    if (props && typeof props === 'object' && property in props) {
      for (const k of ['description', 'markdownDescription'])
        if (typeof props[property][k] === 'string') out.push(props[property][k]);
    }
    Object.values(obj).forEach(walk);
  };
  /** @param {string} d @returns {string[]} */
  const files = (d) =>
    fs
      .readdirSync(d, { withFileTypes: true })
      .flatMap((e) =>
        e.isDirectory() ? files(path.join(d, e.name)) : e.name.endsWith('.json') ? [path.join(d, e.name)] : [],
      );
  for (const f of files(path.join(REPO_ROOT, 'schemas'))) walk(JSON.parse(fs.readFileSync(f, 'utf8')));
  return out;
}

module.exports = {
  REPO_ROOT,
  BROKEN,
  MIXED,
  QUICK_FIX,
  RULE_OFF,
  PREVIEW,
  WIZARD,
  ENDPOINTS,
  HOSTILE,
  locate,
  workloadsMatching,
  words,
  schemaDescriptions,
};
