// SPDX-License-Identifier: Apache-2.0
/**
 * Compares our JSON Schema for a kind with the upstream CRD's openAPIV3Schema, property path by
 * property path: presence, type, enum values, required-ness (including oneOf/anyOf choices),
 * pattern, format, numeric and length limits, and closedness (unknown fields rejected).
 */

type Schema = Record<string, unknown>;

/** One mismatch at one property path. */
export interface Mismatch {
  readonly path: string;
  readonly what: string;
}

export interface CoverageReport {
  /** Every property path of the upstream schema. */
  readonly paths: string[];
  /** Paths where everything matched. */
  readonly covered: number;
  readonly mismatches: Mismatch[];
}

/** Resolves `$ref`s (relative file refs and `#/definitions/...` pointers) against a set of files. */
export class RefResolver {
  constructor(private readonly files: Readonly<Record<string, unknown>>) {}

  /** Returns the node with its `$ref` chain followed; sibling keywords override the target's. */
  resolve(node: Schema, file: string): { node: Schema; file: string } {
    let current = node;
    let currentFile = file;
    const siblings: Schema = {};
    for (let guard = 0; typeof current['$ref'] === 'string' && guard < 50; guard++) {
      const { $ref, ...rest } = current;
      for (const [k, v] of Object.entries(rest)) if (!(k in siblings)) siblings[k] = v;
      const [target, pointer = ''] = ($ref as string).split('#');
      const targetFile = target ? joinPath(currentFile, target) : currentFile;
      const root = this.files[targetFile];
      if (!root) throw new Error(`unresolved $ref ${String($ref)} from ${currentFile}`);
      current = pointer
        .split('/')
        .filter(Boolean)
        .reduce<Schema>(
          (acc, seg) => (acc?.[seg.replace(/~1/g, '/').replace(/~0/g, '~')] ?? undefined) as Schema,
          root as Schema,
        );
      if (!current) throw new Error(`unresolved pointer ${String($ref)} from ${currentFile}`);
      currentFile = targetFile;
    }
    return { node: { ...current, ...siblings }, file: currentFile };
  }
}

function joinPath(from: string, rel: string): string {
  const parts = from.split('/').slice(0, -1);
  for (const seg of rel.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.') parts.push(seg);
  }
  return parts.join('/');
}

/** Go's `\PC` (not a control/format/… character) is `\P{C}` in JavaScript under the `u` flag. */
export function goPatternToJs(pattern: string): string {
  return pattern.replace(/\\PC/g, '\\P{C}').replace(/\\pC/g, '\\p{C}');
}

function typeSet(s: Schema): string | undefined {
  if (s['x-kubernetes-int-or-string'] === true) return 'integer|string';
  const t = s['type'];
  if (Array.isArray(t)) return (t as unknown[]).map(String).sort().join('|');
  if (typeof t === 'string') return t;
  const alts = (s['anyOf'] ?? s['oneOf']) as Schema[] | undefined;
  if (Array.isArray(alts) && alts.every((a) => typeof a['type'] === 'string' && Object.keys(a).length === 1)) {
    return alts
      .map((a) => String(a['type']))
      .sort()
      .join('|');
  }
  return undefined;
}

function choiceSets(s: Schema): string[] {
  const out: string[] = [];
  for (const kw of ['oneOf', 'anyOf']) {
    const alts = s[kw] as Schema[] | undefined;
    if (!Array.isArray(alts) || !alts.every((a) => Array.isArray(a['required']))) continue;
    out.push(
      `${kw}:${alts
        .map((a) => (a['required'] as string[]).slice().sort().join('+'))
        .sort()
        .join(',')}`,
    );
  }
  return out.sort();
}

const LIMITS = [
  'maxLength',
  'minLength',
  'maxItems',
  'minItems',
  'maximum',
  'minimum',
  'maxProperties',
  'minProperties',
];

/**
 * Walks the upstream schema and checks ours along the way.
 * `ours` is the kind's schema file path inside `files`.
 */
export function compareWithCrd(
  upstream: Schema,
  files: Readonly<Record<string, unknown>>,
  ours: string,
): CoverageReport {
  const resolver = new RefResolver(files);
  const paths: string[] = [];
  const mismatches: Mismatch[] = [];
  let covered = 0;

  const walk = (up: Schema, oursNode: Schema | undefined, file: string, path: string): void => {
    paths.push(path);
    if (!oursNode) {
      mismatches.push({ path, what: 'missing in our schema' });
      return;
    }
    const { node: o, file: oFile } = resolver.resolve(oursNode, file);
    const before = mismatches.length;
    const miss = (what: string): void => void mismatches.push({ path, what });

    const ut = typeSet(up);
    const ot = typeSet(o);
    if (ut !== undefined && ut !== ot) miss(`type: upstream ${ut}, ours ${ot ?? 'none'}`);

    if (Array.isArray(up['enum'])) {
      const ue = JSON.stringify([...(up['enum'] as unknown[])].map(String).sort());
      // Values the release history keeps for older releases only (removed in the newest) are not the CRD's.
      const removed = new Set(
        Object.entries(
          ((o['x-cilium-policy-enum-versions'] as { values?: Record<string, { removedIn?: string }> } | undefined)
            ?.values ?? {}) as Record<string, { removedIn?: string }>,
        )
          .filter(([, v]) => v.removedIn !== undefined)
          .map(([k]) => k),
      );
      const oe = Array.isArray(o['enum'])
        ? JSON.stringify(
            [...(o['enum'] as unknown[])]
              .map(String)
              .filter((v) => !removed.has(v))
              .sort(),
          )
        : 'none';
      if (ue !== oe) miss(`enum: upstream ${ue}, ours ${oe}`);
    }
    const ur = JSON.stringify([...((up['required'] as string[]) ?? [])].sort());
    const or = JSON.stringify([...((o['required'] as string[]) ?? [])].sort());
    if (ur !== or) miss(`required: upstream ${ur}, ours ${or}`);
    const uc = JSON.stringify(choiceSets(up));
    const oc = JSON.stringify(choiceSets(o));
    if (uc !== oc) miss(`choices: upstream ${uc}, ours ${oc}`);
    if (typeof up['pattern'] === 'string') {
      const want = goPatternToJs(up['pattern']);
      if (o['pattern'] !== want)
        miss(`pattern: upstream ${JSON.stringify(want)}, ours ${JSON.stringify(o['pattern'])}`);
    }
    if (typeof up['format'] === 'string' && up['format'] !== o['format'])
      miss(`format: upstream ${String(up['format'])}, ours ${String(o['format'])}`);
    // A nullable field keeps a null (others are dropped, see pruneNulls): ours must then accept null.
    if (up['nullable'] === true && !(Array.isArray(o['type']) && (o['type'] as unknown[]).includes('null')))
      miss('nullable: upstream keeps null, ours does not accept it');
    // The API server fills in a default before it validates (and in place of a null), so ours must be the CRD's.
    if (JSON.stringify(up['default']) !== JSON.stringify(o['default']))
      miss(`default: upstream ${JSON.stringify(up['default'])}, ours ${JSON.stringify(o['default'])}`);
    for (const l of LIMITS)
      if (up[l] !== undefined && up[l] !== o[l]) miss(`${l}: upstream ${String(up[l])}, ours ${String(o[l])}`);

    const upProps = up['properties'] as Record<string, Schema> | undefined;
    const oProps = o['properties'] as Record<string, Schema> | undefined;
    if (upProps && up['x-kubernetes-preserve-unknown-fields'] !== true && up['additionalProperties'] === undefined) {
      if (o['additionalProperties'] !== false) miss('closedness: upstream rejects unknown fields, ours does not');
    }
    if (mismatches.length === before) covered++;

    if (upProps) for (const [k, v] of Object.entries(upProps)) walk(v, oProps?.[k], oFile, `${path}.${k}`);
    if (up['items'] && typeof up['items'] === 'object')
      walk(up['items'] as Schema, o['items'] as Schema | undefined, oFile, `${path}[]`);
    if (up['additionalProperties'] && typeof up['additionalProperties'] === 'object') {
      const oa = o['additionalProperties'];
      walk(
        up['additionalProperties'] as Schema,
        oa && typeof oa === 'object' ? (oa as Schema) : undefined,
        oFile,
        `${path}{}`,
      );
    }
  };

  walk(upstream, files[ours] as Schema, ours, '');
  return { paths, covered, mismatches };
}
