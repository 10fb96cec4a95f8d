// SPDX-License-Identifier: Apache-2.0
/**
 * The release history (schemas/release-history.json): generated from the stored facts and our schemas
 * (the test fails when the bundled file drifts from what the generator gives), the facts agree with
 * the upstream CRDs that are on this machine, and the validator applies it: fields, enum values and
 * constraints are accepted or reported per target release, the messages naming both releases.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { parseFile } from '../../server/src/core/document.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { SchemaValidator } from '../../server/src/core/schema-validation.js';
import { KNOWN_RELEASES } from '../../server/src/core/versions.js';
import { normalizeSettings } from '../../server/src/settings.js';
import { loadReleaseHistory, loadSchemaFiles } from '../../server/src/io/schema-files.js';
import { RULES } from '../../server/src/lint/registry.js';
import { NO_SHARED, REPO_ROOT, SHARED_DIR, shared } from '../support/paths.js';

type Json = Record<string, unknown>;

/** A module of scripts/release-history (plain JavaScript, loaded as the generator loads it). */
async function script(name: string): Promise<Json> {
  const url = pathToFileURL(path.join(REPO_ROOT, 'scripts', 'release-history', name)).href;
  return (await import(url)) as Json;
}

const facts = (product: string): Json =>
  JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'scripts', 'release-history', `${product}.json`), 'utf8')) as Json;

const validator = new SchemaValidator(loadSchemaFiles());

function lint(text: string, versions: { cilium?: string; tetragon?: string }, rules = false) {
  const settings = normalizeSettings({ ciliumVersion: versions.cilium, tetragonVersion: versions.tetragon });
  return lintFile(parseFile(text), { validator, settings, rules: rules ? RULES : [] }).map((f) => ({
    code: f.code,
    severity: f.severity,
    message: f.message,
    text: text.slice(f.span.start, f.span.end),
  }));
}

const errors = (found: ReturnType<typeof lint>) => found.filter((f) => f.severity === 'error');

test('schemas/release-history.json is what the generator makes of the facts and the schemas', async () => {
  const history = await script('history.mjs');
  const build = history['buildHistory'] as (files: unknown, facts: unknown) => unknown;
  const readRaw = history['readRawSchemas'] as (dir: string) => unknown;
  const expected = build(readRaw(path.join(REPO_ROOT, 'schemas')), {
    cilium: facts('cilium'),
    tetragon: facts('tetragon'),
  });
  assert.deepEqual(
    loadReleaseHistory(),
    expected,
    'run `node scripts/gen-release-history.mjs --write` after changing the schemas or the facts',
  );
});

test('the validator knows the releases the history describes', () => {
  const history = loadReleaseHistory()!;
  assert.deepEqual(history.releases, KNOWN_RELEASES);
  assert.deepEqual(
    (facts('cilium')['releases'] as { release: string }[]).map((r) => r.release),
    KNOWN_RELEASES.cilium,
  );
  assert.deepEqual(
    (facts('tetragon')['releases'] as { release: string }[]).map((r) => r.release),
    KNOWN_RELEASES.tetragon,
  );
});

test('the facts of the newest releases agree with the CRDs in ../shared/upstream/crds', async (t) => {
  if (!SHARED_DIR) {
    t.skip(NO_SHARED);
    return;
  }
  const crdFacts = await script('crd-facts.mjs');
  const sources = await script('sources.mjs');
  const summary = crdFacts['crdSummary'] as (crd: unknown) => { paths: Json; enums: Record<string, string[]> };
  const crdFiles = sources['CRD_FILES'] as Record<string, Record<string, string>>;
  let checked = 0;
  for (const product of ['cilium', 'tetragon']) {
    const f = facts(product);
    const releases = (f['releases'] as { release: string }[]).map((r) => r.release);
    const newest = releases[releases.length - 1]!;
    for (const [kind, kf] of Object.entries(f['kinds'] as Record<string, Json>)) {
      const file = shared('upstream', 'crds', path.basename(crdFiles[product]![kind]!))!;
      const s = summary(parse(fs.readFileSync(file, 'utf8')));
      for (const [p, present] of Object.entries(kf['fields'] as Record<string, string[]>)) {
        assert.equal(present.includes(newest), p in s.paths, `${kind} ${p}: in ${newest} per the facts`);
        checked++;
      }
      for (const [p, values] of Object.entries(kf['enums'] as Record<string, Record<string, string[]>>))
        for (const [v, rs] of Object.entries(values)) {
          assert.equal(rs.includes(newest), (s.enums[p] ?? []).includes(v), `${kind} ${p} = ${v} in ${newest}`);
          checked++;
        }
    }
  }
  assert.ok(checked > 100, `${checked} facts checked`);
});

test('the facts of every release agree with upstream, where its git snapshots are on this machine', async (t) => {
  const extract = (await script('extract.mjs'))['extractFacts'] as (
    product: string,
    where: { root: string; shared: string },
  ) => { facts?: Json; missing?: string[] };
  if (!SHARED_DIR) {
    t.skip(NO_SHARED);
    return;
  }
  for (const product of ['cilium', 'tetragon']) {
    const r = extract(product, { root: REPO_ROOT, shared: SHARED_DIR });
    if (!r.facts) {
      t.diagnostic(`${product}: upstream sources not on this machine (${r.missing!.slice(0, 3).join(', ')} …)`);
      continue;
    }
    assert.deepEqual(r.facts, facts(product), `${product}: run \`node scripts/gen-release-history.mjs --extract\``);
  }
});

const TP = (spec: string) => `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: history
spec:
${spec}`;

const CNP = (spec: string) => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: history
  namespace: shop
spec:
  endpointSelector: {}
${spec}`;

test('Tetragon 1.7 accepts FollowFD, UnfollowFD, argFd and argName; 1.8 reports them as removed in 1.8', () => {
  const text = TP(`  kprobes:
    - call: fd_install
      syscall: false
      args:
        - index: 0
          type: int
        - index: 1
          type: file
      selectors:
        - matchActions:
            - action: FollowFD
              argFd: 0
              argName: 1
    - call: __x64_sys_close
      syscall: false
      args:
        - index: 0
          type: int
      selectors:
        - matchActions:
            - action: UnfollowFD
              argFd: 0
`);
  assert.deepEqual(errors(lint(text, { tetragon: '1.7' })), []);
  assert.deepEqual(errors(lint(text, { tetragon: '1.4' })), []);
  const now = errors(lint(text, { tetragon: '1.8' }));
  assert.deepEqual(
    now.map((f) => [f.code, f.text]),
    [
      ['version/removed', 'FollowFD'],
      ['version/removed', 'argFd'],
      ['version/removed', 'argName'],
      ['version/removed', 'UnfollowFD'],
      ['version/removed', 'argFd'],
    ],
  );
  for (const f of now)
    assert.match(f.message, /removed in Tetragon 1\.8 \(accepted up to Tetragon 1\.7\); the target is Tetragon 1\.8/);
});

test('Tetragon 1.6 accepts returnArgAction: Post (any action name, any case); 1.7 takes only socket tracking', () => {
  const text = TP(`  kprobes:
    - call: sys_openat
      return: true
      returnArg:
        index: 0
        type: int
      returnArgAction: Post
`);
  const rule = (found: ReturnType<typeof lint>) => found.filter((f) => f.code === 'tetragon/return-arg');
  const severities = (found: ReturnType<typeof lint>) => rule(found).map((f) => f.severity);
  // Accepted up to 1.6, but only socket tracking acts on a return value: a warning, not an error.
  assert.deepEqual(severities(lint(text, { tetragon: '1.6' }, true)), ['warning']);
  const now = rule(lint(text, { tetragon: '1.7' }, true));
  assert.deepEqual(
    now.map((f) => f.severity),
    ['error'],
  );
  assert.match(now[0]!.message, /may only be `TrackSock` or `UntrackSock`/);
  // The agent looks names up in lower case.
  assert.deepEqual(rule(lint(text.replace('Post', 'tracksock'), { tetragon: '1.8' }, true)), []);
  assert.deepEqual(severities(lint(text.replace('Post', 'Bogus'), { tetragon: '1.6' }, true)), ['error']);
  // `Set` is an action from 1.6 on.
  assert.deepEqual(severities(lint(text.replace('Post', 'Set'), { tetragon: '1.6' }, true)), ['warning']);
  assert.deepEqual(severities(lint(text.replace('Post', 'Set'), { tetragon: '1.5' }, true)), ['error']);
});

test('an enum value or field added later is reported for older Tetragon releases, naming both', () => {
  const set = TP(`  kprobes:
    - call: sys_write
      args:
        - index: 0
          type: int
      selectors:
        - matchActions:
            - action: Set
              argIndex: 0
              argValue: 1
`);
  assert.deepEqual(errors(lint(set, { tetragon: '1.6' })), []);
  const old = errors(lint(set, { tetragon: '1.5' }));
  assert.deepEqual(
    old.map((f) => [f.code, f.text]),
    [
      ['version/not-yet-available', 'Set'],
      ['version/not-yet-available', 'argIndex'],
      ['version/not-yet-available', 'argValue'],
    ],
  );
  assert.match(old[0]!.message, /`action: Set` was added in Tetragon 1\.6; the target is Tetragon 1\.5/);
});

test('older Tetragon constraints: matchArgs needs an index up to 1.5, a uprobe needs symbols in 1.4', () => {
  const noIndex = TP(`  kprobes:
    - call: sys_write
      args:
        - index: 0
          type: int
      selectors:
        - matchArgs:
            - operator: Equal
              values: ["1"]
`);
  assert.deepEqual(errors(lint(noIndex, { tetragon: '1.6' })), []);
  const old = errors(lint(noIndex, { tetragon: '1.5' }));
  assert.deepEqual(
    old.map((f) => f.code),
    ['schema/required'],
  );
  assert.match(
    old[0]!.message,
    /`index`.*Tetragon 1\.4 to 1\.5 check this \(the target is Tetragon 1\.5\); it changed in Tetragon 1\.6/,
  );
  const offsets = TP(`  uprobes:
    - path: /bin/bash
      offsets: [4096]
`);
  assert.deepEqual(errors(lint(offsets, { tetragon: '1.5' })), []);
  assert.deepEqual(
    errors(lint(offsets, { tetragon: '1.4' })).map((f) => f.code),
    ['schema/required', 'version/not-yet-available'],
  );
});

test('a uprobe with two of symbols, addrs and offsets loads in Tetragon 1.6 and 1.7 (all three do not); 1.8 refuses two', () => {
  const two = TP(`  uprobes:
    - path: /bin/bash
      symbols: [readline]
      addrs: [4096]
`);
  assert.deepEqual(errors(lint(two, { tetragon: '1.7' })), []);
  assert.deepEqual(
    errors(lint(two, { tetragon: '1.8' })).map((f) => f.code),
    ['schema/one-of'],
  );
  const three = two.replace('addrs: [4096]', 'addrs: [4096]\n      offsets: [8192]');
  const old = errors(lint(three, { tetragon: '1.7' }));
  assert.deepEqual(
    old.map((f) => f.code),
    ['schema/one-of'],
  );
  assert.match(
    old[0]!.message,
    /Tetragon 1\.6 to 1\.7 check this \(the target is Tetragon 1\.7\); it changed in Tetragon 1\.8/,
  );
});

test('Cilium 1.16 does not know cidrGroupSelector (added in 1.17) and requires a port in toPorts up to 1.18', () => {
  const text = CNP(`  egress:
    - toCIDRSet:
        - cidrGroupSelector:
            matchLabels:
              team: a
`);
  assert.deepEqual(errors(lint(text, { cilium: '1.17' })), []);
  const old = errors(lint(text, { cilium: '1.16' }));
  assert.deepEqual(
    old.map((f) => [f.code, f.text]),
    [['version/not-yet-available', 'cidrGroupSelector']],
  );
  assert.match(old[0]!.message, /`cidrGroupSelector` was added in Cilium 1\.17; the target is Cilium 1\.16/);

  const noPort = CNP(`  ingress:
    - toPorts:
        - ports:
            - protocol: TCP
`);
  assert.deepEqual(errors(lint(noPort, { cilium: '1.19' })), []);
  const required = errors(lint(noPort, { cilium: '1.18' }));
  assert.deepEqual(
    required.map((f) => f.code),
    ['schema/required'],
  );
  assert.match(
    required[0]!.message,
    /`port`.*Cilium 1\.16 to 1\.18 check this \(the target is Cilium 1\.18\); it changed in Cilium 1\.19/,
  );
});

test('Cilium 1.16 accepts a rule without ingress or egress sections (the CRD requires one from 1.17)', () => {
  const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: bare
  namespace: shop
spec:
  endpointSelector: {}
`;
  assert.deepEqual(errors(lint(text, { cilium: '1.16' })), []);
  const now = errors(lint(text, { cilium: '1.17' }));
  assert.deepEqual(
    now.map((f) => f.code),
    ['schema/one-of'],
  );
  // A target older than every release we know is checked as the oldest one.
  assert.deepEqual(errors(lint(text, { cilium: '1.15' })), []);
});

test('protocols added later are reported for older Cilium releases; serverNames patterns follow the release', () => {
  const igmp = CNP(`  egress:
    - toPorts:
        - ports:
            - port: "0"
              protocol: IGMP
`);
  assert.deepEqual(errors(lint(igmp, { cilium: '1.19' })), []);
  const old = errors(lint(igmp, { cilium: '1.18' }));
  assert.deepEqual(
    old.map((f) => [f.code, f.text]),
    [['version/not-yet-available', 'IGMP']],
  );
  const sni = (name: string) =>
    CNP(`  egress:
    - toPorts:
        - ports:
            - port: "443"
              protocol: TCP
          serverNames: ["${name}"]
`);
  // `a*b.example.com` is a valid name for 1.20 (any of -, letters, digits, _ and *), not for 1.18 and 1.19.
  assert.deepEqual(errors(lint(sni('a*b.example.com'), { cilium: '1.20' })), []);
  assert.deepEqual(
    errors(lint(sni('a*b.example.com'), { cilium: '1.19' })).map((f) => f.code),
    ['schema/pattern'],
  );
  // Before 1.18 the CRD had no pattern at all.
  assert.deepEqual(errors(lint(sni('a*b.example.com'), { cilium: '1.17' })), []);
});
