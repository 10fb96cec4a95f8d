// SPDX-License-Identifier: Apache-2.0
/**
 * Reads the facts we keep about one CRD release: which property paths it accepts, the enum values
 * of each, and the validation keywords that constrain them. Nothing else is kept (no descriptions,
 * no CEL text: a CEL rule is known by the fields it reads).
 *
 * A path is written as our coverage test writes it: `spec.kprobes[].args[].type`, with `[]` for list
 * items and `{}` for map values.
 */

/** Keywords kept per path. `x-kubernetes-list-type: set` is kept as `uniqueItems`, CEL rules as ids. */
const CONSTRAINT_KEYWORDS = [
  'type',
  'required',
  'pattern',
  'format',
  'maxLength',
  'minLength',
  'maxItems',
  'minItems',
  'maximum',
  'minimum',
  'exclusiveMaximum',
  'exclusiveMinimum',
  'maxProperties',
  'minProperties',
  'default',
  'nullable',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
];

/** A CEL rule's id: the fields of `self` it reads, sorted (`cel:return+returnArg`). */
export function celId(rule) {
  const fields = new Set();
  for (const m of String(rule).matchAll(/self\.([A-Za-z_][A-Za-z0-9_]*)/g)) fields.add(m[1]);
  return `cel:${[...fields].sort().join('+')}`;
}

/** The choices of a `oneOf`/`anyOf` whose branches only require keys, as sorted key sets. */
function choiceSets(branches) {
  if (!Array.isArray(branches)) return undefined;
  if (!branches.every((b) => Array.isArray(b?.required))) return undefined;
  return branches.map((b) => [...b.required].sort().join('+')).sort();
}

/**
 * One release of one CRD: `{ paths: { [path]: { constraints } }, enums: { [path]: values } }`.
 * An array that must stay empty (`maxItems: 0`, how Cilium keeps a field it removed) counts as not
 * accepted, and so does everything below it.
 */
export function crdSummary(crd) {
  const version = crd.spec.versions.find((v) => v.storage) ?? crd.spec.versions[0];
  const root = version.schema.openAPIV3Schema;
  const paths = {};
  const enums = {};
  const walk = (s, p) => {
    if (!s || typeof s !== 'object') return;
    if (s.type === 'array' && s.maxItems === 0) return;
    const c = {};
    for (const k of CONSTRAINT_KEYWORDS) if (k in s) c[k] = s[k];
    if (s['x-kubernetes-list-type'] === 'set') c.uniqueItems = true;
    for (const kw of ['oneOf', 'anyOf']) {
      const sets = choiceSets(s[kw]);
      if (sets) c[kw] = sets;
      else if (Array.isArray(s[kw])) c[kw] = s[kw].map(({ description: _d, ...rest }) => rest);
    }
    if (Array.isArray(s['x-kubernetes-validations']))
      c.cel = s['x-kubernetes-validations'].map((v) => celId(v.rule)).sort();
    if (Array.isArray(c.required)) c.required = [...c.required].sort();
    paths[p] = c;
    if (Array.isArray(s.enum)) enums[p] = s.enum.map(String);
    for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, p ? `${p}.${k}` : k);
    if (s.items && typeof s.items === 'object') walk(s.items, `${p}[]`);
    if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${p}{}`);
  };
  walk(root, '');
  return { paths, enums };
}

/** The path one level up (`a.b[].c` → `a.b[]`, `a.b[]` → `a.b`, `a` → ``). */
export function parentPath(p) {
  const m = /^(.*?)(?:\.[^.[\]{}]+|\[\]|\{\})$/.exec(p);
  return m ? m[1] : '';
}

/**
 * The facts of one kind over its releases (oldest first), keeping only what varies:
 * - `fields`: a path's releases when they differ from its parent's (a field added or removed);
 * - `enums`: per path, a value's releases when they differ from the path's;
 * - `constraints`: per path and keyword, the value in each release that has the path, when it varies.
 * Everything not listed is the same in every release that has the parent.
 */
export function kindFacts(releases, summaries) {
  const all = new Set();
  for (const s of summaries) for (const p of Object.keys(s.paths)) all.add(p);
  const sorted = [...all].sort();
  const present = (p) => releases.filter((_, i) => p === '' || summaries[i].paths[p] !== undefined);
  const fields = {};
  const types = {};
  const enums = {};
  const constraints = {};
  const latest = releases[releases.length - 1];
  for (const p of sorted) {
    const mine = present(p);
    if (p !== '' && JSON.stringify(mine) !== JSON.stringify(present(parentPath(p)))) {
      fields[p] = mine;
      // A field the newest release no longer has: its type, for the schema entry that reports it.
      if (!mine.includes(latest)) {
        const last = summaries[releases.indexOf(mine[mine.length - 1])].paths[p];
        if (last.type !== undefined) types[p] = last.type;
      }
    }
    const values = new Set();
    for (const s of summaries) for (const v of s.enums[p] ?? []) values.add(v);
    for (const v of [...values].sort()) {
      const withValue = releases.filter(
        (_, i) => summaries[i].paths[p] !== undefined && (summaries[i].enums[p] ?? []).includes(v),
      );
      if (JSON.stringify(withValue) !== JSON.stringify(mine)) (enums[p] ??= {})[v] = withValue;
    }
    // A path with an enum in some releases and none in others would need a rule we do not have.
    const withEnum = releases.filter((_, i) => summaries[i].enums[p] !== undefined);
    if (withEnum.length > 0 && JSON.stringify(withEnum) !== JSON.stringify(mine))
      throw new Error(`${p}: an enum in ${withEnum.join(', ')} only`);
    const keywords = new Set();
    for (const s of summaries) for (const k of Object.keys(s.paths[p] ?? {})) keywords.add(k);
    for (const k of [...keywords].sort()) {
      const perRelease = {};
      for (const [i, r] of releases.entries()) {
        const c = summaries[i].paths[p];
        if (c === undefined) continue;
        perRelease[r] = c[k] === undefined ? null : c[k];
      }
      if (new Set(Object.values(perRelease).map((v) => JSON.stringify(v))).size > 1)
        (constraints[p] ??= {})[k] = perRelease;
    }
  }
  return { fields, types, enums, constraints };
}

/** The releases (of `releases`) in which a path exists, from the facts of its kind. */
export function releasesOf(kind, releases, p) {
  for (let q = p; ; q = parentPath(q)) {
    if (kind.fields[q]) return kind.fields[q];
    if (q === '') return releases;
  }
}
