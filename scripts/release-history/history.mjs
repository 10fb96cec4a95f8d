// SPDX-License-Identifier: Apache-2.0
/**
 * Turns the CRD facts of every release into annotations of our schemas
 * (schemas/release-history.json), which server/src/core/release-history.ts applies when the schemas
 * are loaded:
 *
 * - a field that only some releases accept gets `versions` (`addedIn` / `removedIn`), and a field the
 *   newest release removed is added to our schema (`add`) so that older targets accept it;
 * - an enum value that only some releases accept gets `enumVersions`, and a removed one is added to
 *   the enum (`addEnum`);
 * - a constraint that differs in older releases (a required key, a pattern, a length, a choice) gets
 *   an override (`releases`) that the validator applies when it targets one of them.
 *
 * Our schemas are written for the newest releases; the facts only list what differs between releases
 * (scripts/release-history/crd-facts.mjs). Where an older release's CRD lacks a check that its agent
 * makes anyway, AGENT_CHECKS keeps the check, naming the agent code; CEL rules, which our schemas
 * write as `not`/`if` keywords, are handled only through that table. Anything else the facts hold that
 * cannot be translated stops the generator with a message, so nothing drifts silently.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parentPath, releasesOf } from './crd-facts.mjs';

/** Our schema file of each kind, below schemas/. */
export const KIND_SCHEMAS = {
  CiliumNetworkPolicy: 'cilium.io/ciliumnetworkpolicy_v2.json',
  CiliumClusterwideNetworkPolicy: 'cilium.io/ciliumclusterwidenetworkpolicy_v2.json',
  CiliumEnvoyConfig: 'cilium.io/ciliumenvoyconfig_v2.json',
  CiliumClusterwideEnvoyConfig: 'cilium.io/ciliumclusterwideenvoyconfig_v2.json',
  TracingPolicy: 'cilium.io/tracingpolicy_v1alpha1.json',
  TracingPolicyNamespaced: 'cilium.io/tracingpolicynamespaced_v1alpha1.json',
};

/**
 * Checks an older release's CRD does not make but its agent does, so they stay for that release;
 * and the one place where the agent's check differs from the newest CRD's rule. Each names the code.
 * `cel` entries are CEL rules (known by the fields they read); `path`/`keyword` entries other keywords.
 */
export const AGENT_CHECKS = [
  {
    product: 'cilium',
    cel: 'cel:spec+specs',
    releases: ['1.16', '1.17', '1.18', '1.19'],
    keep: 'cilium/cilium pkg/k8s/apis/cilium.io/v2 cnp_types.go and ccnp_types.go, Parse: a policy without spec and specs is ErrEmptyCNP / ErrEmptyCCNP (v1.16.0 to v1.19.0)',
  },
  {
    product: 'tetragon',
    cel: 'cel:return+returnArg',
    releases: ['1.4', '1.5', '1.6', '1.7'],
    keep: 'cilium/tetragon pkg/sensors/tracing generickprobe.go (kprobes and fentries) and genericuprobe.go (uprobes, which have `return` from 1.7): "ReturnArg not specified with Return=true" (v1.4.0 to v1.7.0)',
  },
  {
    product: 'tetragon',
    cel: 'cel:matchExpressions+matchLabels',
    releases: ['1.7'],
    keep: 'cilium/tetragon pkg/sensors/k8s.go: a hostSelector with labels is refused (v1.7.0)',
  },
  {
    product: 'tetragon',
    cel: 'cel:spec',
    releases: ['1.4', '1.5', '1.6'],
    keep: 'the rule reads `spec.hostSelector`, which these releases do not have (the release check reports it)',
  },
  {
    product: 'tetragon',
    cel: 'cel:argNewAddr+argNewOffset+argNewSymbol',
    releases: ['1.4', '1.5', '1.6', '1.7'],
    keep: 'the rule reads `argNewSymbol`, `argNewAddr` and `argNewOffset`, which these releases do not have (the release check reports them)',
  },
  {
    product: 'tetragon',
    cel: 'cel:addrs+offsets+symbols',
    releases: ['1.4', '1.5'],
    keep: 'cilium/tetragon pkg/sensors/tracing/genericuprobe.go: symbols and offsets together are refused (v1.5.0); 1.4 has neither offsets nor addrs',
  },
  {
    product: 'tetragon',
    cel: 'cel:addrs+offsets+symbols',
    releases: ['1.6', '1.7'],
    at: 'cilium.io/_defs/tracing-policy.json#/definitions/uprobe/allOf/0',
    set: {
      not: { required: ['addrs', 'offsets', 'symbols'] },
      errorMessage:
        'a uprobe may not set all three of `symbols`, `addrs` and `offsets` (two of them are accepted up to Tetragon 1.7).',
    },
    because:
      'cilium/tetragon pkg/sensors/tracing/genericuprobe.go addUprobe: only symbols, offsets and addrs all together are refused (v1.6.0, v1.7.0)',
  },
  {
    product: 'tetragon',
    path: /\.matchBinaries$/,
    keyword: 'maxItems',
    releases: ['1.4', '1.5', '1.6'],
    keep: 'cilium/tetragon pkg/selectors/kernel.go ParseMatchBinaries: "only support a single matchBinaries per selector" (v1.4.0 to v1.6.0)',
  },
];

/** Our words for a field or value when it is reported against a release, keyed `product:name`. */
export const NOTES = {
  'cilium:fromRequires': 'Express the requirement in the endpoint selectors of the allow rules instead.',
  'cilium:toRequires': 'Express the requirement in the endpoint selectors of the allow rules instead.',
  'cilium:kafka': 'Cilium 1.20 has no Kafka parser; use an L3/L4 rule for the brokers instead.',
  'cilium:l7proto': 'Cilium 1.20 dropped proxylib parsers.',
  'cilium:l7': 'Cilium 1.20 dropped proxylib parsers.',
  'tetragon:argFd': 'It went with the FollowFD, UnfollowFD and CopyFD actions.',
  'tetragon:argName': 'It went with the FollowFD, UnfollowFD and CopyFD actions.',
};

/** Deterministic JSON, as the generated files are written. */
export function stableJson(value) {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Our schema files as written (without the release history), keyed by their path below schemas/. */
export function readRawSchemas(dir) {
  const out = {};
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.json') && child !== 'release-history.json')
        out[child] = JSON.parse(fs.readFileSync(path.join(dir, child), 'utf8'));
    }
  };
  walk('');
  return out;
}

/** Go's `\PC` is `\P{C}` for our patterns (as the coverage test compares them). */
function goPattern(p) {
  return p.replace(/\\PC/g, '\\P{C}').replace(/\\pC/g, '\\p{C}');
}

const escapePointer = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** The node at `file#pointer`. */
function nodeAt(files, file, pointer) {
  let node = files[file];
  for (const seg of pointer.split('/').filter(Boolean)) {
    node = node?.[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

/** The `$ref` chain from a node: every node on it, with its file and pointer. */
function chain(files, file, pointer) {
  const out = [];
  let f = file;
  let p = pointer;
  for (let guard = 0; guard < 30; guard++) {
    const node = nodeAt(files, f, p);
    if (!node || typeof node !== 'object') throw new Error(`no schema node at ${f}#${p}`);
    out.push({ file: f, pointer: p, node });
    if (typeof node.$ref !== 'string') return out;
    const [target, ptr = ''] = node.$ref.split('#');
    if (target) f = path.posix.join(path.posix.dirname(f), target);
    p = ptr;
  }
  throw new Error(`$ref loop at ${file}#${pointer}`);
}

/** Where a CRD path leads in our schema: the `$ref` chain of its node (undefined when we have no such node). */
function locate(files, rootFile, crdPath) {
  let c = chain(files, rootFile, '');
  if (crdPath === '') return c;
  const segments = crdPath.match(/[^.[\]{}]+|\[\]|\{\}/g);
  for (const seg of segments) {
    let next;
    if (seg === '[]') {
      const h = c.find((x) => x.node.items && typeof x.node.items === 'object');
      if (h) next = { file: h.file, pointer: `${h.pointer}/items` };
    } else if (seg === '{}') {
      const h = c.find((x) => x.node.additionalProperties && typeof x.node.additionalProperties === 'object');
      if (h) next = { file: h.file, pointer: `${h.pointer}/additionalProperties` };
    } else {
      const h = c.find((x) => x.node.properties && Object.prototype.hasOwnProperty.call(x.node.properties, seg));
      if (h) next = { file: h.file, pointer: `${h.pointer}/properties/${escapePointer(seg)}` };
    }
    if (!next) return undefined;
    c = chain(files, next.file, next.pointer);
  }
  return c;
}

/** Where a property would be added: the last node of the parent's chain that has `properties`. */
function propertyHome(files, rootFile, crdPath) {
  const c = locate(files, rootFile, parentPath(crdPath));
  if (!c) return undefined;
  const holder = [...c].reverse().find((x) => x.node.properties) ?? c[c.length - 1];
  const name = crdPath.slice(parentPath(crdPath).length).replace(/^\./, '');
  return `${holder.file}#${holder.pointer}/properties/${escapePointer(name)}`;
}

/** The node of a chain that holds a keyword, or the last (where a new keyword goes). */
function holderOf(c, keyword) {
  return c.find((x) => x.node[keyword] !== undefined) ?? c[c.length - 1];
}

const key = (x) => `${x.file}#${x.pointer}`;

/**
 * The annotations of our schemas, from the facts of both products.
 * `files` are our schema files as written (see {@link readRawSchemas}).
 */
export function buildHistory(files, factsByProduct) {
  const problems = [];
  /** location → annotation being built, with the CRD paths that gave each part (for conflict messages). */
  const at = new Map();
  const entry = (loc) => {
    let e = at.get(loc);
    if (!e) at.set(loc, (e = { at: loc }));
    return e;
  };
  /** Records one fact for a location, or a problem when two paths disagree. */
  const agree = (loc, part, value, from) => {
    const e = entry(loc);
    e.$from ??= {};
    const prev = e.$from[part];
    if (prev && JSON.stringify(prev.value) !== JSON.stringify(value)) {
      problems.push(
        `${loc} ${part}: ${prev.from} gives ${JSON.stringify(prev.value)}, ${from} gives ${JSON.stringify(value)}`,
      );
      return false;
    }
    if (!prev) e.$from[part] = { value, from };
    return !prev;
  };

  const releasesByProduct = {};
  for (const [product, facts] of Object.entries(factsByProduct)) {
    const releases = facts.releases.map((r) => r.release);
    releasesByProduct[product] = releases;
    const latest = releases[releases.length - 1];
    const next = (r) => releases[releases.indexOf(r) + 1];
    for (const [kind, kf] of Object.entries(facts.kinds)) {
      const rootFile = KIND_SCHEMAS[kind];
      if (!rootFile || !files[rootFile]) {
        problems.push(`${kind}: no schema`);
        continue;
      }
      const where = (p) => `${kind} ${p}`;

      // Fields added or removed: a range inside the releases that have the parent.
      for (const [p, present] of Object.entries(kf.fields)) {
        const parent = releasesOf(kf, releases, parentPath(p));
        const first = parent.indexOf(present[0]);
        const last = parent.indexOf(present[present.length - 1]);
        if (first < 0 || last - first + 1 !== present.length) {
          problems.push(`${where(p)}: accepted in ${present.join(', ')}, not one run of ${parent.join(', ')}`);
          continue;
        }
        // Below a field that itself comes and goes, the parent's annotation says it all.
        if (kf.fields[parentPath(p)] && !present.includes(latest)) continue;
        const versions = { product };
        if (first > 0) versions.addedIn = present[0];
        if (last < parent.length - 1) versions.removedIn = parent[last + 1];
        const name = p.slice(parentPath(p).length).replace(/^\./, '');
        const note = NOTES[`${product}:${name}`];
        if (note && versions.removedIn) versions.note = note;
        const c = locate(files, rootFile, p);
        let loc;
        if (c) loc = key(c[0]);
        else if (!present.includes(latest)) {
          loc = propertyHome(files, rootFile, p);
          if (!loc) {
            problems.push(`${where(p)}: nowhere to add it`);
            continue;
          }
          const type = kf.types?.[p];
          agree(loc, 'add', { type: type ?? 'object' }, where(p));
          entry(loc).add = {
            ...(type ? { type } : {}),
            description: `Accepted up to ${product === 'cilium' ? 'Cilium' : 'Tetragon'} ${parent[last]}, removed in ${versions.removedIn}.`,
            doNotSuggest: true,
          };
        } else {
          problems.push(`${where(p)}: not in our schema`);
          continue;
        }
        if (agree(loc, 'versions', versions, where(p))) entry(loc).versions = versions;
      }

      // Enum values added or removed.
      for (const [p, values] of Object.entries(kf.enums)) {
        const c = locate(files, rootFile, p);
        if (!c) {
          if (!releasesOf(kf, releases, p).includes(latest)) continue; // a removed field: the field is reported
          problems.push(`${where(p)}: not in our schema`);
          continue;
        }
        const holder = holderOf(c, 'enum');
        const loc = key(holder);
        const pathReleases = releasesOf(kf, releases, p);
        for (const [value, withValue] of Object.entries(values)) {
          const first = pathReleases.indexOf(withValue[0]);
          const last = pathReleases.indexOf(withValue[withValue.length - 1]);
          if (withValue.length === 0 || first < 0 || last - first + 1 !== withValue.length) {
            problems.push(`${where(p)}: value ${value} in ${withValue.join(', ')}, not one run`);
            continue;
          }
          const v = {};
          if (first > 0) v.addedIn = withValue[0];
          if (last < pathReleases.length - 1) v.removedIn = pathReleases[last + 1];
          if (!agree(loc, `enum:${value}`, v, where(p))) continue;
          const e = entry(loc);
          e.enumVersions ??= { product, values: {} };
          e.enumVersions.values[value] = v;
          if (!withValue.includes(latest)) (e.addEnum ??= []).push(value);
        }
      }

      // Constraints that differ in older releases.
      for (const [p, keywords] of Object.entries(kf.constraints)) {
        const pathReleases = releasesOf(kf, releases, p);
        if (!pathReleases.includes(latest)) continue; // the field itself is reported for older releases
        const c = locate(files, rootFile, p);
        if (!c) {
          problems.push(`${where(p)}: not in our schema`);
          continue;
        }
        for (const [kw, perRelease] of Object.entries(keywords)) {
          const newest = perRelease[latest];
          for (const [r, value] of Object.entries(perRelease)) {
            if (r === latest || JSON.stringify(value) === JSON.stringify(newest)) continue;
            const result = translate({ files, kf, releases, product, kind, p, kw, r, value, newest, c, next });
            if (result.problem) problems.push(`${where(p)} ${kw} ${r}: ${result.problem}`);
            for (const o of result.overrides ?? []) {
              if (agree(o.loc, `release:${o.keyword}:${r}`, o.change, where(p))) {
                const e = entry(o.loc);
                e.$releases ??= {};
                (e.$releases[o.keyword] ??= {})[r] = { ...o.change, changedIn: o.changedIn };
              }
            }
          }
        }
      }
    }
  }
  if (problems.length) throw new Error(`release history: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);

  // Overrides: one entry per keyword and run of releases that share the same change.
  const annotations = [];
  for (const e of [...at.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))) {
    const out = { at: e.at };
    if (e.add) out.add = e.add;
    if (e.versions) out.versions = e.versions;
    if (e.enumVersions) {
      out.enumVersions = {
        product: e.enumVersions.product,
        values: Object.fromEntries(Object.entries(e.enumVersions.values).sort(([a], [b]) => (a < b ? -1 : 1))),
      };
    }
    if (e.addEnum) out.addEnum = [...new Set(e.addEnum)].sort();
    if (e.$releases) {
      out.releases = [];
      for (const [kw, perRelease] of Object.entries(e.$releases).sort(([a], [b]) => (a < b ? -1 : 1))) {
        const groups = [];
        for (const [r, change] of Object.entries(perRelease)) {
          const { changedIn: _c, product: prod, ...rest } = change;
          const sig = JSON.stringify(rest);
          const g = groups.find((x) => x.sig === sig);
          if (g) g.releases.push(r);
          else groups.push({ sig, product: prod, releases: [r], rest });
        }
        for (const g of groups) {
          const rs = g.releases.sort(
            (a, b) => releasesByProduct[g.product].indexOf(a) - releasesByProduct[g.product].indexOf(b),
          );
          const all = releasesByProduct[g.product];
          out.releases.push({
            product: g.product,
            keyword: kw,
            releases: rs,
            changedIn: all[all.indexOf(rs[rs.length - 1]) + 1],
            ...g.rest,
          });
        }
      }
    }
    annotations.push(out);
  }
  return {
    $comment:
      'Generated by scripts/gen-release-history.mjs from scripts/release-history/{cilium,tetragon}.json and the schemas; do not edit. server/src/core/release-history.ts applies it when the schemas are loaded.',
    releases: releasesByProduct,
    annotations,
  };
}

/**
 * Our schema's form of an older release's value of one keyword at one path: overrides (each a
 * location, the keyword and its `set` value or `unset`), or a problem when it cannot be written.
 */
function translate({ files, kf, releases, product, p, kw, r, value, newest, c, next }) {
  const agent = AGENT_CHECKS.filter(
    (a) =>
      a.product === product && a.releases.includes(r) && (a.path ? a.keyword === kw && a.path.test(p) : kw === 'cel'),
  );
  const changedIn = next(r);
  const override = (holder, keyword, change) => ({
    loc: key(holder),
    keyword,
    change: { product, ...change },
    changedIn,
  });
  switch (kw) {
    case 'cel': {
      const before = new Set(value ?? []);
      const now = new Set(newest ?? []);
      const changed = [...new Set([...before, ...now])].filter((id) => before.has(id) !== now.has(id));
      const overrides = [];
      for (const id of changed) {
        const a = agent.find((x) => x.cel === id);
        if (!a) return { problem: `CEL rule ${id} differs and AGENT_CHECKS says nothing about it` };
        if (a.keep) continue;
        const [file, pointer] = a.at.split('#');
        for (const [k, v] of Object.entries(a.set))
          overrides.push(override({ file, pointer }, k, { set: v, because: a.because }));
      }
      return { overrides };
    }
    case 'required': {
      if (agent.length) return {};
      const holder = holderOf(c, 'required');
      const ours = holder.node.required ?? [];
      const added = (value ?? []).filter((k) => !(newest ?? []).includes(k));
      const removed = (newest ?? []).filter((k) => !(value ?? []).includes(k));
      const mine = [...ours.filter((k) => !removed.includes(k)), ...added.filter((k) => !ours.includes(k))];
      if (JSON.stringify(mine) === JSON.stringify(ours)) return {};
      return { overrides: [override(holder, 'required', mine.length ? { set: mine } : { unset: true })] };
    }
    case 'oneOf':
    case 'anyOf': {
      if (agent.length) return {};
      const isChoice = (v) => v === null || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
      if (!isChoice(value) || !isChoice(newest)) return { problem: 'a type choice changed' };
      const holder = holderOf(c, kw);
      const ours = holder.node[kw] ?? [];
      const setOf = (b) => [...(b.required ?? [])].sort().join('+');
      // A choice of a field this release does not have is left to the release check of that field.
      const known = (set) => set.split('+').every((k) => releasesOf(kf, releases, `${p}.${k}`).includes(r));
      const before = (value ?? []).filter(known);
      const now = (newest ?? []).filter(known);
      let mine = ours.filter((b) => !now.includes(setOf(b)) || before.includes(setOf(b)));
      for (const s of before) if (!mine.some((b) => setOf(b) === s)) mine = [...mine, { required: s.split('+') }];
      if (JSON.stringify(mine) === JSON.stringify(ours)) return {};
      return { overrides: [override(holder, kw, mine.length ? { set: mine } : { unset: true })] };
    }
    case 'pattern':
    case 'format':
    case 'maxLength':
    case 'minLength':
    case 'maxItems':
    case 'minItems':
    case 'maximum':
    case 'minimum':
    case 'exclusiveMaximum':
    case 'exclusiveMinimum':
    case 'maxProperties':
    case 'minProperties':
    case 'uniqueItems': {
      if (agent.length) return {};
      const holder = holderOf(c, kw);
      const want = kw === 'pattern' && value !== null ? goPattern(value) : value;
      const newestOurs = kw === 'pattern' && newest !== null ? goPattern(newest) : newest;
      if (JSON.stringify(holder.node[kw] ?? null) !== JSON.stringify(newestOurs ?? null))
        return { problem: `ours has ${JSON.stringify(holder.node[kw])}, the newest CRD ${JSON.stringify(newest)}` };
      return { overrides: [override(holder, kw, want === null ? { unset: true } : { set: want })] };
    }
    default:
      return { problem: `no rule to translate ${kw} (${JSON.stringify(value)} here, ${JSON.stringify(newest)} now)` };
  }
}
