// SPDX-License-Identifier: Apache-2.0
/**
 * JSON-Schema validation of policy documents with ajv, and the mapping of ajv's errors to
 * findings at the smallest useful span (the offending key or value).
 *
 * The schemas are passed in as plain objects; the adapters load them from `schemas/`.
 * Each kind's validator is compiled on first use and kept by the `SchemaValidator` instance.
 */
import Ajv from 'ajv';
import { RE2JS } from 're2js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isMap, isScalar } from 'yaml';
import type { Node, Pair } from 'yaml';
import { CODES, type Finding, type Span } from './findings.js';
import { keyText, locate, nodeSpan, YAML11_BOOLEAN, type PolicyDocument } from './document.js';
import { isValidated, type KindInfo } from './kinds.js';
import { closest } from './text-distance.js';
import {
  compareVersions,
  DEFAULT_VERSIONS,
  KNOWN_RELEASES,
  versionProblem,
  type TargetVersions,
  type VersionAnnotation,
} from './versions.js';
import {
  ENUM_VERSIONS_KEYWORD,
  knownRelease,
  RELEASE_NOTE_KEYWORD,
  RELEASES_KEYWORD,
  releaseVariant,
  type EnumVersions,
  type ReleaseNote,
} from './release-history.js';

/** The URI prefix every bundled schema is known by; relative `$ref`s resolve against it. */
export const SCHEMA_URI_PREFIX = 'cilium-policy:///';

/** Keywords our schemas use that are annotations for editors, not constraints. */
const ANNOTATION_KEYWORDS = [
  'markdownDescription',
  'defaultSnippets',
  'enumDescriptions',
  'markdownEnumDescriptions',
  'deprecationMessage',
  'doNotSuggest',
  'errorMessage',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-validations',
  'x-cilium-policy-docs',
  // Explanations for fields that are unknown here but exist elsewhere (e.g. L7 rules in a deny section).
  'x-cilium-policy-field-hints',
  // The release history: older releases' constraints, and what an older release's schema changed.
  RELEASES_KEYWORD,
  RELEASE_NOTE_KEYWORD,
];

const VERSION_KEYWORD = 'x-cilium-policy-versions';

/** The key of the schemas of the newest releases. */
const NEWEST = 'newest';

/** Bundled schema files, keyed by their path below `schemas/` (e.g. `cilium.io/ciliumnetworkpolicy_v2.json`). */
export type SchemaFiles = Readonly<Record<string, unknown>>;

/** Validates documents against the bundled schemas; one instance per process. */
export class SchemaValidator {
  /** The schemas of the newest releases, and those of an older release where its constraints differ. */
  private readonly ajvs = new Map<string, Ajv>();
  private readonly compiled = new Map<string, ValidateFunction>();
  /** The validators of the targets asked for last, per kind. */
  private recent:
    | { readonly cilium: string; readonly tetragon: string; readonly byKind: Map<KindInfo, ValidateFunction> }
    | undefined;
  /** Read by the version keywords while a validation runs (validation is synchronous). */
  private targets: TargetVersions = DEFAULT_VERSIONS;

  constructor(private readonly files: SchemaFiles) {
    this.ajvs.set(NEWEST, this.makeAjv(files));
  }

  private makeAjv(files: SchemaFiles): Ajv {
    const ajv = new Ajv({
      allErrors: true,
      verbose: true,
      strict: true,
      strictTypes: false,
      strictRequired: false,
      allowUnionTypes: true,
      unicodeRegExp: true,
      validateSchema: true,
      // CRD patterns are Go RE2 expressions and user data is untrusted: match them with an RE2
      // engine, in linear time, instead of JavaScript's backtracking RegExp (some CRD patterns,
      // e.g. the FQDN ones, backtrack exponentially on a near-miss).
      code: { regExp: re2RegExp },
    });
    for (const k of ANNOTATION_KEYWORDS) ajv.addKeyword(k);
    ajv.addKeyword({
      keyword: VERSION_KEYWORD,
      schemaType: 'object',
      errors: true,
      validate: this.versionCheck(),
    });
    ajv.addKeyword({
      keyword: ENUM_VERSIONS_KEYWORD,
      schemaType: 'object',
      errors: true,
      validate: this.enumVersionCheck(),
    });
    addFormats(ajv);
    for (const [path, schema] of Object.entries(withServerDefaults(files))) {
      ajv.addSchema(schema as object, SCHEMA_URI_PREFIX + path);
    }
    return ajv;
  }

  /** The paths of the loaded schema files. */
  get schemaPaths(): string[] {
    return Object.keys(this.files);
  }

  /**
   * The schemas a target release checks a kind with: the newest ones, or, for an older release whose
   * CRD (or agent) constrains some field differently, those built from the release history.
   */
  private ajvFor(kind: KindInfo, targets: TargetVersions): { key: string; ajv: Ajv } {
    // cilium-policy's own kinds (PolicyTest) have one version: the newest schemas.
    if (kind.family === 'cilium-policy') return { key: NEWEST, ajv: this.ajvs.get(NEWEST)! };
    const product = kind.family;
    const release = knownRelease(KNOWN_RELEASES[product], targets[product]);
    if (release === undefined || release === KNOWN_RELEASES[product][KNOWN_RELEASES[product].length - 1])
      return { key: NEWEST, ajv: this.ajvs.get(NEWEST)! };
    const key = `${product}@${release}`;
    let ajv = this.ajvs.get(key);
    if (!ajv) {
      const variant = releaseVariant(this.files, product, release);
      ajv = variant ? this.makeAjv(variant) : this.ajvs.get(NEWEST)!;
      this.ajvs.set(key, ajv);
    }
    return { key, ajv };
  }

  /** Compiles (once) and returns the validator for a kind in the target releases. */
  private validatorFor(
    kind: KindInfo & { readonly schemaPath: string },
    targets: TargetVersions = DEFAULT_VERSIONS,
  ): ValidateFunction | undefined {
    // Every document of a lint asks with the same targets: answer those from a table per kind.
    const recent = this.recent;
    if (recent && recent.cilium === targets.cilium && recent.tetragon === targets.tetragon) {
      const v = recent.byKind.get(kind);
      if (v) return v;
    } else this.recent = { cilium: targets.cilium, tetragon: targets.tetragon, byKind: new Map() };
    const v = this.lookupValidator(kind, targets);
    if (v) this.recent!.byKind.set(kind, v);
    return v;
  }

  /** The validator for a kind in the target releases, compiled on first use. */
  private lookupValidator(
    kind: KindInfo & { readonly schemaPath: string },
    targets: TargetVersions,
  ): ValidateFunction | undefined {
    const { key, ajv } = this.ajvFor(kind, targets);
    const id = `${key}|${kind.schemaPath}`;
    let v = this.compiled.get(id);
    if (!v) {
      v = ajv.getSchema(SCHEMA_URI_PREFIX + kind.schemaPath);
      if (!v) return undefined;
      this.compiled.set(id, v);
    }
    return v;
  }

  /** Validates one document of one of our kinds (those with a schema; others get nothing). Never throws. */
  validate(doc: PolicyDocument, targets: TargetVersions = DEFAULT_VERSIONS): Finding[] {
    const kind = doc.kind;
    if (!kind || !isValidated(kind) || doc.data === undefined) return [];
    let validate: ValidateFunction | undefined;
    try {
      validate = this.validatorFor(kind, targets);
    } catch (e) {
      return [internal(doc, `The bundled schema for ${kind.kind} could not be compiled: ${(e as Error).message}`)];
    }
    if (!validate) return [internal(doc, `No bundled schema for ${kind.kind}.`)];
    // Validate what the API server validates: the object after it dropped (or defaulted) null values.
    const { data, nulls } = pruneNulls(doc.data, this.files, kind.schemaPath);
    this.targets = targets;
    try {
      validate(data);
    } catch (e) {
      return [internal(doc, `Validation failed: ${(e as Error).message}`)];
    } finally {
      this.targets = DEFAULT_VERSIONS;
    }
    const where = { files: this.files, rootFile: kind.schemaPath };
    return [...nulls.map((n) => nullFinding(doc, n)), ...mapErrors(doc, validate.errors ?? [], targets, where)];
  }

  /** The check of an enum value that only some releases accept. */
  private enumVersionCheck() {
    const self = this;
    const check = function (
      schema: EnumVersions,
      data: unknown,
      _parent: unknown,
      ctx?: { parentDataProperty?: string | number },
    ): boolean {
      if (typeof data !== 'string' && typeof data !== 'number') return true;
      const when = schema.values[String(data)];
      if (!when) return true;
      const annotation: VersionAnnotation = { product: schema.product, ...when };
      const field = `${String(ctx?.parentDataProperty ?? 'value')}: ${String(data)}`;
      const problem = versionProblem(annotation, self.targets, field);
      if (!problem) return true;
      const removed =
        annotation.removedIn !== undefined && compareVersions(self.targets[schema.product], annotation.removedIn) >= 0;
      (check as unknown as { errors: Partial<ErrorObject>[] }).errors = [
        { keyword: ENUM_VERSIONS_KEYWORD, message: problem, params: { ...annotation, removed } },
      ];
      return false;
    };
    return check;
  }

  private versionCheck() {
    // A function expression, so that ajv can attach `.errors` to it.
    const self = this;
    const check = function (
      schema: VersionAnnotation,
      data: unknown,
      _parent: unknown,
      ctx?: { parentDataProperty?: string | number },
    ): boolean {
      if (Array.isArray(data) && data.length === 0) return true;
      const field = String(ctx?.parentDataProperty ?? '');
      const problem = versionProblem(schema, self.targets, field);
      if (!problem) return true;
      const removed =
        schema.removedIn !== undefined && compareVersions(self.targets[schema.product], schema.removedIn) >= 0;
      (check as unknown as { errors: Partial<ErrorObject>[] }).errors = [
        { keyword: VERSION_KEYWORD, message: problem, params: { ...schema, removed } },
      ];
      return false;
    };
    return check;
  }
}

/**
 * The schemas as the API server applies them. It fills in a field's `default` before it validates
 * (structural schema defaulting), so a required field that has a default can never be missing: a
 * TracingPolicy argument without `type` gets `auto` and is accepted. Such fields are taken out of
 * `required` here; the files themselves keep both `required` and `default`, as the CRDs do.
 */
export function withServerDefaults(files: SchemaFiles): SchemaFiles {
  const out: Record<string, unknown> = {};
  for (const [path, schema] of Object.entries(files)) out[path] = structuredClone(schema);
  const resolve = (node: unknown, file: string): Record<string, unknown> | undefined => {
    let current = node as Record<string, unknown> | undefined;
    let currentFile = file;
    for (let guard = 0; current && typeof current['$ref'] === 'string' && guard < 20; guard++) {
      if ('default' in current) return current;
      const [target = '', pointer = ''] = (current['$ref'] as string).split('#');
      if (target) currentFile = [...currentFile.split('/').slice(0, -1), ...target.split('/')].join('/');
      current = pointer
        .split('/')
        .filter(Boolean)
        .reduce<unknown>((acc, seg) => (acc as Record<string, unknown> | undefined)?.[seg], out[currentFile]) as
        Record<string, unknown> | undefined;
    }
    return current;
  };
  const walk = (node: unknown, file: string): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, file);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    const props = n['properties'] as Record<string, unknown> | undefined;
    if (Array.isArray(n['required']) && props && typeof props === 'object') {
      const kept = (n['required'] as unknown[]).filter((k) => {
        const prop = resolve(props[String(k)], file);
        return !(prop && 'default' in prop);
      });
      if (kept.length !== n['required'].length) n['required'] = kept;
    }
    for (const v of Object.values(n)) walk(v, file);
  };
  for (const [path, schema] of Object.entries(out)) walk(schema, path);
  return out;
}

/** A schema node and the file it lives in (for resolving its relative `$ref`s). */
interface SchemaAt {
  readonly node: Record<string, unknown>;
  readonly file: string;
}

/** Follows `$ref`s and gathers the branches (`allOf`, `anyOf`, `oneOf`, `then`, `else`) a node's keys may come from. */
function expandSchema(files: SchemaFiles, at: SchemaAt, out: SchemaAt[] = [], depth = 0): SchemaAt[] {
  if (depth > 20) return out;
  out.push(at);
  const ref = at.node['$ref'];
  if (typeof ref === 'string') {
    const [target = '', pointer = ''] = ref.split('#');
    const file = target ? [...at.file.split('/').slice(0, -1), ...target.split('/')].join('/') : at.file;
    const node = pointer
      .split('/')
      .filter(Boolean)
      .reduce<unknown>((acc, seg) => (acc as Record<string, unknown> | undefined)?.[seg], files[file]);
    if (node && typeof node === 'object')
      expandSchema(files, { node: node as Record<string, unknown>, file }, out, depth + 1);
  }
  for (const kw of ['allOf', 'anyOf', 'oneOf']) {
    const branches = at.node[kw];
    if (Array.isArray(branches))
      for (const b of branches)
        if (b && typeof b === 'object')
          expandSchema(files, { node: b as Record<string, unknown>, file: at.file }, out, depth + 1);
  }
  for (const kw of ['then', 'else']) {
    const b = at.node[kw];
    if (b && typeof b === 'object')
      expandSchema(files, { node: b as Record<string, unknown>, file: at.file }, out, depth + 1);
  }
  return out;
}

/** The schemas that describe a map key (its property, or the map's `additionalProperties`) or a list's items. */
function childSchemas(files: SchemaFiles, parents: readonly SchemaAt[], key: string | number): SchemaAt[] {
  const out: SchemaAt[] = [];
  for (const p of parents) {
    let child: unknown;
    if (typeof key === 'number') child = p.node['items'];
    else {
      const props = p.node['properties'] as Record<string, unknown> | undefined;
      child = props && Object.prototype.hasOwnProperty.call(props, key) ? props[key] : p.node['additionalProperties'];
    }
    if (child && typeof child === 'object')
      expandSchema(files, { node: child as Record<string, unknown>, file: p.file }, out);
  }
  return out;
}

/** A map key whose value was null, and what the API server (or the agent) does with it. */
interface NullKey {
  readonly path: readonly (string | number)[];
  /** The field's default, which the API server puts in place of the null. */
  readonly defaulted?: { readonly value: unknown };
  /** Inside a part the CRD keeps as written (Envoy resources): the agent, not the API server, reads it. */
  readonly preserved: boolean;
  /** The JSON type the schema expects there, for the message. */
  readonly expected: unknown;
}

/**
 * The document data as the API server validates it, with the null values it removes. Since
 * Kubernetes 1.20 it drops a map entry whose value is null when the field is not nullable and has
 * no default (no field of our CRDs is nullable), and replaces the null by the default when there is
 * one. Null list items are kept (and then rejected by the type check), and so are nulls under keys
 * the schema does not know (pruned with the unknown field). Where the CRD preserves unknown fields
 * (CiliumEnvoyConfig resources) the API server keeps the null; the agent's protobuf JSON reader then
 * treats it as unset, which has the same effect.
 */
export function pruneNulls(data: unknown, files: SchemaFiles, rootFile: string): { data: unknown; nulls: NullKey[] } {
  const nulls: NullKey[] = [];
  if (!hasNull(data)) return { data, nulls };
  const root = files[rootFile];
  if (!root || typeof root !== 'object') return { data, nulls };
  const copy = structuredClone(data);
  const walk = (value: unknown, schemas: SchemaAt[], path: (string | number)[], preserved: boolean): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, childSchemas(files, schemas, i), [...path, i], preserved));
      return;
    }
    if (!value || typeof value !== 'object') return;
    const map = value as Record<string, unknown>;
    const open = preserved || schemas.some((s) => s.node['x-kubernetes-preserve-unknown-fields'] === true);
    for (const key of Object.keys(map)) {
      const child = childSchemas(files, schemas, key);
      if (map[key] !== null) {
        walk(map[key], child, [...path, key], open);
        continue;
      }
      if (child.length === 0) continue; // unknown here: reported (and pruned) as an unknown field
      if (child.some((s) => s.node['nullable'] === true || typeIncludesNull(s.node['type']))) continue;
      const withDefault = child.find((s) => 'default' in s.node);
      const expected = child.find((s) => s.node['type'] !== undefined)?.node['type'];
      nulls.push({
        path: [...path, key],
        preserved: open,
        expected,
        ...(withDefault ? { defaulted: { value: withDefault.node['default'] } } : {}),
      });
      delete map[key];
    }
  };
  walk(copy, expandSchema(files, { node: root as Record<string, unknown>, file: rootFile }), [], false);
  return { data: copy, nulls };
}

function typeIncludesNull(type: unknown): boolean {
  return type === 'null' || (Array.isArray(type) && type.includes('null'));
}

function hasNull(value: unknown): boolean {
  if (value === null) return true;
  // Loops rather than `Object.values(…).some`: this visits every value of every document on each
  // lint, and the arrays of values were a good part of the garbage of a first lint.
  if (Array.isArray(value)) {
    for (const item of value) if (hasNull(item)) return true;
    return false;
  }
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key in record)
      if (Object.prototype.hasOwnProperty.call(record, key) && hasNull(record[key])) return true;
  }
  return false;
}

function nullFinding(doc: PolicyDocument, n: NullKey): Finding {
  const path = n.path.map(String);
  const key = path[path.length - 1] ?? '';
  const span = keyOrValue(doc, path);
  if (n.defaulted) {
    return {
      code: CODES.schemaNullValue,
      severity: 'information',
      message: `\`${key}\` has no value; the API server fills in its default \`${String(
        JSON.stringify(n.defaulted.value),
      ).replace(/^"|"$/g, '')}\`.`,
      span,
      data: { field: key, default: n.defaulted.value },
    };
  }
  const inMap = path.length >= 2 && !/^\d+$/.test(path[path.length - 2]!) ? ` from \`${path[path.length - 2]}\`` : '';
  const parent = path[path.length - 2];
  const effect =
    parent === 'matchLabels'
      ? `the selector no longer requires the label \`${key}\`, so it matches more`
      : `the policy is stored and enforced as if \`${key}\` were not there`;
  const who =
    path[0] === 'metadata'
      ? `the API server reads object metadata as not set where it is null, as if \`${key}\` were not there`
      : n.preserved
        ? `Cilium's Envoy configuration reader takes a null as not set, so \`${key}\` has no effect`
        : `the API server removes it${inMap} (Kubernetes 1.20 and later do so with a null that has no default), and ${effect}`;
  const hint =
    n.expected === 'array'
      ? ' Give it at least one entry, or remove the line.'
      : n.expected === 'object'
        ? ' Give it a value (`{}` for an empty map), or remove the line.'
        : ' Give it a value, or remove the line.';
  return {
    code: CODES.schemaNullValue,
    severity: 'warning',
    message: `\`${key}\` has no value, so this key is dropped: ${who}.${hint}`,
    span,
    data: { field: key },
  };
}

function internal(doc: PolicyDocument, message: string): Finding {
  return {
    code: CODES.schemaInvalid,
    severity: 'error',
    message,
    span: { start: doc.span.start, end: doc.span.start },
  };
}

/** Values longer than this are matched every time (a long value is rarely repeated). */
const MEMO_MAX_LENGTH = 256;
/** Answers kept per pattern. */
const MEMO_MAX_ENTRIES = 2048;

/**
 * Builds a pattern matcher on RE2 semantics; ajv calls it once per distinct pattern. ajv only reads
 * `code` when generating standalone modules, which we never do.
 */
const re2RegExp = Object.assign(
  (pattern: string): { test(s: string): boolean; toString(): string } => {
    const re = RE2JS.compile(pattern);
    // The same values come back in document after document (ports, label keys, names) and the RE2
    // engine allocates a matcher per call: the answers for short values are kept, a bounded number
    // per pattern (the set is emptied when full).
    const answers = new Map<string, boolean>();
    const test = (s: string): boolean => {
      if (s.length > MEMO_MAX_LENGTH) return re.matcher(s).find();
      let answer = answers.get(s);
      if (answer === undefined) {
        answer = re.matcher(s).find();
        if (answers.size >= MEMO_MAX_ENTRIES) answers.clear();
        answers.set(s, answer);
      }
      return answer;
    };
    // ajv keys its cache of compiled patterns by `toString()`, so it must be the pattern itself.
    return { test, toString: () => `/${pattern}/` };
  },
  { code: 're2RegExp' },
);

/** Formats the Kubernetes API server checks for the CRDs we describe. */
function addFormats(ajv: Ajv): void {
  ajv.addFormat('int32', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && n >= -2147483648 && n <= 2147483647,
  });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('cidr', { type: 'string', validate: isCidr });
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (s: string) =>
      /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)),
  });
  // The API server does not check `idn-hostname`; neither do we (the field's pattern does the work).
  ajv.addFormat('idn-hostname', { type: 'string', validate: () => true });
}

/** True for an IPv4 or IPv6 CIDR in the form Go's `net.ParseCIDR` accepts. */
export function isCidr(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const ip = s.slice(0, slash);
  const prefix = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix)) return false;
  const bits = Number(prefix);
  if (isIPv4(ip)) return bits <= 32;
  if (isIPv6(ip)) return bits <= 128;
  return false;
}

/**
 * The CIDR a malformed one most likely meant, or undefined when the address itself is not an
 * address: spaces dropped, a missing or empty prefix made the single address (`/32`, `/128`), a
 * prefix longer than the address capped at its length, trailing slashes and leading zeros of the
 * length dropped. `10.0.0.0/33` → `10.0.0.0/32`, `2001:db8::/129` → `2001:db8::/128`.
 */
export function nearestCidr(text: string): string | undefined {
  const s = text.replace(/\s+/g, '').replace(/\/+$/, '');
  const m = /^([^/]+)(?:\/(\d{1,5}))?$/.exec(s);
  if (!m) return undefined;
  const ip = m[1]!;
  const max = isIPv4(ip) ? 32 : isIPv6(ip) ? 128 : undefined;
  if (max === undefined) return undefined;
  const bits = m[2] === undefined ? max : Math.min(Number(m[2]), max);
  const out = `${ip}/${bits}`;
  return isCidr(out) && out !== text ? out : undefined;
}

export function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

export function isIPv6(s: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.includes(':::')) return false;
  let rest = s;
  let groups = 0;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    if (!isIPv4(s.slice(lastColon + 1))) return false;
    rest = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = rest.split('::');
  if (halves.length > 2) return false;
  for (const half of halves) {
    if (half === '') continue;
    for (const g of half.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
      groups++;
    }
  }
  return halves.length === 2 ? groups < 8 : groups === 8;
}

/** An upper-case `SOME_NAME`, `$NAME` or `${NAME}`, optionally with a `/len` suffix: a value still to be substituted. */
const PLACEHOLDER = /^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?:\/\d{1,3})?$/;

function pointerToPath(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * A number or boolean written without quotes where a string is expected: say how Kubernetes reads
 * it and offer to quote it as written (`on` becomes `"on"`, `80` becomes `"80"`).
 */
function quotable(
  doc: PolicyDocument,
  path: readonly string[],
  expected: unknown,
  data: unknown,
  span: Span,
  finding: Finding,
): Finding {
  const wantsString = expected === 'string' || (Array.isArray(expected) && expected.includes('string'));
  if (!wantsString || (typeof data !== 'boolean' && typeof data !== 'number')) return finding;
  const node = locate(doc.yaml, path).node;
  if (!isScalar(node) || node.type !== 'PLAIN' || !node.range || node.range[0] !== span.start) return finding;
  const written = typeof node.source === 'string' ? node.source : String(node.value);
  const quoted = JSON.stringify(written);
  const why =
    typeof data === 'boolean' && YAML11_BOOLEAN.test(written)
      ? ` kubectl and the API server read an unquoted \`${written}\` as the boolean ${String(data)} (YAML 1.1, as Kubernetes decodes YAML); quote it: \`${quoted}\`.`
      : ` Quote it: \`${quoted}\`.`;
  return {
    ...finding,
    message: finding.message + why,
    fixes: [
      {
        title: `Quote \`${written}\``,
        edits: [{ start: span.start, end: span.end, newText: quoted }],
        preferred: true,
      },
    ],
  };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'object':
      return 'a map';
    case 'string':
      return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
    case 'number':
      return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`;
    case 'boolean':
      return `the boolean ${value}`;
    default:
      return typeof value;
  }
}

function typeWords(type: unknown): string {
  const names: Record<string, string> = {
    object: 'a map',
    array: 'a list',
    string: 'a string',
    integer: 'an integer',
    number: 'a number',
    boolean: 'a boolean (true or false)',
    null: 'null',
  };
  const list = Array.isArray(type) ? type : [type];
  return list.map((t) => names[String(t)] ?? String(t)).join(' or ');
}

function fieldName(path: readonly string[]): string {
  const last = [...path].reverse().find((s) => !/^\d+$/.test(s));
  return last ?? 'document';
}

/** The span to blame for an error at a path: the value, or its key when the value is empty. */
function valueSpan(doc: PolicyDocument, path: readonly string[]): Span {
  const loc = locate(doc.yaml, path);
  const value = nodeSpan(loc.node as Node | undefined);
  if (value && value.end > value.start) return value;
  return (
    nodeSpan(loc.key as Node | undefined) ?? nodeSpan(loc.nearest) ?? { start: doc.span.start, end: doc.span.start }
  );
}

/** The span that names an object: its key in the parent map, or its first key when it is a list item. */
function objectSpan(doc: PolicyDocument, path: readonly string[]): Span {
  if (path.length === 0) {
    // The whole document: blame `kind:` so the squiggle is on one short line.
    const kindKey = isMap(doc.yaml.contents)
      ? doc.yaml.contents.items.find((p: Pair) => keyText(p.key) === 'kind')
      : undefined;
    return nodeSpan(kindKey?.key as Node | undefined) ?? { start: doc.span.start, end: doc.span.start };
  }
  const loc = locate(doc.yaml, path);
  if (loc.key) return nodeSpan(loc.key as Node)!;
  if (isMap(loc.node) && loc.node.items.length > 0) {
    const first = loc.node.items[0]!;
    return nodeSpan(first.key as Node) ?? valueSpan(doc, path);
  }
  return valueSpan(doc, path);
}

function keySpan(doc: PolicyDocument, path: readonly string[], key: string): Span {
  const loc = locate(doc.yaml, path);
  if (isMap(loc.node)) {
    const pair = loc.node.items.find((p: Pair) => keyText(p.key) === key);
    const span = nodeSpan(pair?.key as Node | undefined);
    if (span) return span;
  }
  return objectSpan(doc, path);
}

function alternatives(parentSchema: unknown, keyword: string, targets: TargetVersions = DEFAULT_VERSIONS): string[] {
  const schema = parentSchema as Record<string, unknown> | undefined;
  const branches = schema?.[keyword];
  if (!Array.isArray(branches)) return [];
  // A choice the target release does not have (`kafka` for Cilium 1.20) stays out of the message:
  // naming it would suggest a fix that the version check then rejects.
  const props = (schema?.['properties'] ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const available = (name: string): boolean => {
    const v = props[name]?.[VERSION_KEYWORD] as VersionAnnotation | undefined;
    return !v || versionProblem(v, targets, name) === undefined;
  };
  return branches
    .flatMap((b: unknown) => {
      const req = (b as { required?: unknown }).required;
      return Array.isArray(req) ? req.map(String) : [];
    })
    .filter(available);
}

/** The key span of the second (in file order) of the `oneOf` choices present in the object at `path`. */
function secondChoiceSpan(doc: PolicyDocument, path: readonly string[], parentSchema: unknown): Span | undefined {
  const loc = locate(doc.yaml, path);
  if (!isMap(loc.node)) return undefined;
  const choices = new Set(requiredSets({ oneOf: (parentSchema as { oneOf?: unknown } | undefined)?.oneOf }).flat());
  const spans = loc.node.items
    .filter((p: Pair) => choices.has(keyText(p.key) ?? ''))
    .map((p: Pair) => nodeSpan(p.key as Node))
    .filter((sp): sp is Span => sp !== undefined)
    .sort((a, b) => a.start - b.start);
  return spans[1];
}

function quoteList(names: readonly string[], conj: string): string {
  const q = names.map((n) => `\`${n}\``);
  if (q.length <= 1) return q.join('');
  return `${q.slice(0, -1).join(', ')} ${conj} ${q[q.length - 1]}`;
}

/** Keywords about a value's content, moot once the value has the wrong type. */
const VALUE_KEYWORDS = new Set([
  'enum',
  'const',
  'pattern',
  'format',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
]);

/** The schema files and the kind's root file, for messages that depend on where a path leads. */
interface SchemaPlace {
  readonly files: SchemaFiles;
  readonly rootFile: string;
}

function mapErrors(
  doc: PolicyDocument,
  errors: readonly ErrorObject[],
  targets: TargetVersions = DEFAULT_VERSIONS,
  where?: SchemaPlace,
): Finding[] {
  // oneOf/anyOf alternatives in our schemas are "which of these keys is present" choices; their
  // branch errors (`required` at the same place) are replaced by one message naming the choice.
  const choicePaths = new Set(
    errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.instancePath),
  );
  // An `if` with our own message speaks for its `then`: the `then` branch's own errors would repeat it.
  const thenPrefixes = errors
    .filter((e) => e.keyword === 'if' && customMessage(e))
    .map((e) => `${e.instancePath}|${e.schemaPath.replace(/\/if$/, '/then/')}`);
  // A value of the wrong type (often a key still waiting for its value, `protocol:`) is one problem:
  // its allowed values, pattern or length would only say the same thing again.
  const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const rule = (e.keyword === 'if' || e.keyword === 'not') && customMessage(e) !== undefined;
    if (!rule && (e.keyword === 'if' || e.keyword === 'not' || e.keyword === 'allOf')) continue;
    if (e.keyword === 'required' && choicePaths.has(e.instancePath) && /\/(oneOf|anyOf)\/\d+\//.test(e.schemaPath))
      continue;
    if (thenPrefixes.some((p) => `${e.instancePath}|${e.schemaPath}`.startsWith(p))) continue;
    if (wrongType.has(e.instancePath) && VALUE_KEYWORDS.has(e.keyword)) continue;
    const found = rule ? ruleFinding(doc, e) : toFinding(doc, e, targets, where);
    if (!found) continue;
    const finding = withReleaseNote(found, e, targets);
    const sig = `${finding.code}|${finding.span.start}|${finding.span.end}|${finding.message}`;
    if (seen.has(sig)) continue;
    seen.add(sig);
    out.push(finding);
  }
  return out;
}

/**
 * A constraint an older release has but the newest does not (or has otherwise): the message says
 * which releases check it this way and where it changed, so the finding is not taken for a mistake.
 */
function withReleaseNote(finding: Finding, e: ErrorObject, targets: TargetVersions): Finding {
  const notes = (e.parentSchema as Record<string, unknown> | undefined)?.[RELEASE_NOTE_KEYWORD] as
    Record<string, ReleaseNote> | undefined;
  const keyword = e.keyword === 'if' ? 'then' : e.keyword;
  const note = notes?.[keyword] ?? (e.keyword === 'not' || e.keyword === 'if' ? notes?.['errorMessage'] : undefined);
  if (!note) return finding;
  if (keyword === 'required' && note.fields) {
    const missing = String((e.params as Record<string, unknown>)['missingProperty']);
    if (!note.fields.includes(missing)) return finding;
  }
  const product = note.product === 'cilium' ? 'Cilium' : 'Tetragon';
  const first = note.releases[0]!;
  const last = note.releases[note.releases.length - 1]!;
  const range = first === last ? `${product} ${first}` : `${product} ${first} to ${last}`;
  return {
    ...finding,
    message: `${finding.message} ${range} ${note.releases.length > 1 ? 'check' : 'checks'} this (the target is ${product} ${targets[note.product]}); it changed in ${product} ${note.changedIn}.`,
  };
}

/** The `errorMessage` string of the schema node that holds a failing `not` or `if`, if it has one. */
function customMessage(e: ErrorObject): string | undefined {
  const m = (e.parentSchema as { errorMessage?: unknown } | undefined)?.errorMessage;
  return typeof m === 'string' ? m : undefined;
}

/** The key sets a schema requires: its own `required`, or one set per `anyOf`/`oneOf` branch. */
function requiredSets(schema: unknown): string[][] {
  const s = schema as { required?: unknown; anyOf?: unknown; oneOf?: unknown } | undefined;
  if (!s || typeof s !== 'object') return [];
  if (Array.isArray(s.required)) return [s.required.map(String)];
  const branches = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : [];
  return branches.flatMap((b: unknown) => requiredSets(b));
}

/**
 * A `not` or `if`/`then` node carrying our own `errorMessage` is how the schemas write a CRD rule
 * that plain keywords cannot ("at most one of these keys", "this key needs that one", "this key is
 * not allowed here"). One finding with that message, on the key that triggered the rule: for `not`,
 * the last (in the file) of the keys that may not appear together; for `if`, the key the condition
 * looks at (e.g. `return`). The code says what kind of rule it is.
 */
function ruleFinding(doc: PolicyDocument, e: ErrorObject): Finding {
  const path = pointerToPath(e.instancePath);
  const parent = e.parentSchema as Record<string, unknown>;
  const data =
    e.data && typeof e.data === 'object' && !Array.isArray(e.data) ? (e.data as Record<string, unknown>) : {};
  const present = (k: string): boolean => Object.prototype.hasOwnProperty.call(data, k);
  let keys: string[];
  let code: string;
  if (e.keyword === 'not') {
    const sets = requiredSets(parent['not']);
    keys = sets.find((set) => set.length > 0 && set.every(present)) ?? [];
    code = sets.some((set) => set.length > 1) ? CODES.schemaOneOf : CODES.schemaInvalid;
  } else {
    keys = requiredSets(parent['if']).flat().filter(present);
    code = requiredSets(parent['then']).length > 0 ? CODES.schemaRequired : CODES.schemaInvalid;
  }
  const spans = keys.map((k) => keySpan(doc, path, k)).sort((a, b) => a.start - b.start);
  const span = (e.keyword === 'not' ? spans[spans.length - 1] : spans[0]) ?? objectSpan(doc, path);
  const where = path.length === 0 ? (doc.kind?.kind ?? 'document') : fieldName(path);
  return { code, severity: 'error', message: `\`${where}\`: ${customMessage(e)}`, span, data: { fields: keys } };
}

/** True when a path runs through a part the CRD keeps as written (`x-kubernetes-preserve-unknown-fields`). */
function underPreservedFields(place: SchemaPlace | undefined, path: readonly string[]): boolean {
  const root = place?.files[place.rootFile];
  if (!place || !root || typeof root !== 'object') return false;
  let schemas = expandSchema(place.files, { node: root as Record<string, unknown>, file: place.rootFile });
  for (const seg of path) {
    if (schemas.some((s) => s.node['x-kubernetes-preserve-unknown-fields'] === true)) return true;
    const asIndex = /^\d+$/.test(seg) && schemas.some((s) => s.node['items'] !== undefined);
    schemas = childSchemas(place.files, schemas, asIndex ? Number(seg) : seg);
    if (schemas.length === 0) return false;
  }
  return schemas.some((s) => s.node['x-kubernetes-preserve-unknown-fields'] === true);
}

/**
 * Who turns an unknown field away, and how. CRD fields (and `metadata`) go through the API server:
 * with strict field validation, which kubectl asks for by default (server-side since Kubernetes
 * 1.27), it rejects the object; any other client gets the object stored without the field (structural
 * pruning drops it, with a warning), so it never takes effect. Envoy resources in a CiliumEnvoyConfig
 * are kept as written by the API server and decoded by the agent with protobuf's JSON reader, which
 * refuses unknown fields.
 */
function unknownFieldConsequence(place: SchemaPlace | undefined, path: readonly string[]): string {
  if (underPreservedFields(place, path))
    return 'the API server keeps it, and Cilium rejects the Envoy resource when it decodes it (unknown fields are an error there).';
  const server =
    "the API server rejects it under strict field validation (kubectl's default) and otherwise drops it from the stored object, so it never takes effect.";
  if (path[0] === 'status')
    return `${server} The \`status\` is written by Cilium; what a manifest puts there is discarded anyway.`;
  return server;
}

function toFinding(
  doc: PolicyDocument,
  e: ErrorObject,
  targets: TargetVersions = DEFAULT_VERSIONS,
  place?: SchemaPlace,
): Finding | undefined {
  const path = pointerToPath(e.instancePath);
  const field = fieldName(path);
  const params = e.params as Record<string, unknown>;
  const err = (code: string, message: string, span: Span, data?: Record<string, unknown>): Finding => ({
    code,
    severity: 'error',
    message,
    span,
    ...(data ? { data } : {}),
  });
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = String(params['additionalProperty']);
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const fieldHints = (e.parentSchema as { 'x-cilium-policy-field-hints'?: Record<string, string> } | undefined)?.[
        'x-cilium-policy-field-hints'
      ];
      const explained = fieldHints?.[extra];
      const guess = explained ? undefined : closest(extra, known);
      const where = path.length === 0 ? 'at the top level' : `in \`${field}\``;
      const hint = explained
        ? ` ${explained}`
        : guess
          ? ` Did you mean \`${guess}\`?`
          : known.length
            ? ` Known fields: ${known.map((k) => `\`${k}\``).join(', ')}.`
            : '';
      const span = keySpan(doc, path, extra);
      const finding = err(
        CODES.schemaUnknownField,
        `Unknown field \`${extra}\` ${where}: ${unknownFieldConsequence(place, path)}${hint}`,
        span,
        {
          field: extra,
          ...(guess ? { suggestion: guess } : {}),
        },
      );
      // Offer the rename only when the span is exactly the key as written (not a fallback span).
      const keyNode = locate(doc.yaml, [...path, extra]).key;
      if (guess && keyNode?.range && keyNode.range[0] === span.start) {
        return {
          ...finding,
          fixes: [
            {
              title: `Rename \`${extra}\` to \`${guess}\``,
              edits: [{ start: span.start, end: span.end, newText: guess }],
              preferred: true,
            },
          ],
        };
      }
      return finding;
    }
    case 'required': {
      const missing = String(params['missingProperty']);
      const where = path.length === 0 ? `${doc.kind?.kind ?? 'The document'}` : `\`${field}\``;
      return err(
        CODES.schemaRequired,
        `${where} is missing the required field \`${missing}\`.`,
        objectSpan(doc, path),
        { field: missing },
      );
    }
    case 'type': {
      const span = valueSpan(doc, path);
      const finding = err(
        CODES.schemaType,
        `\`${field}\` must be ${typeWords(params['type'])}, not ${describe(e.data)}.`,
        span,
        {
          expected: params['type'],
        },
      );
      return quotable(doc, path, params['type'], e.data, span, finding);
    }
    case 'enum':
    case 'const': {
      const allowed = (e.keyword === 'enum' ? (params['allowedValues'] as unknown[]) : [params['allowedValue']]).map(
        String,
      );
      const guess = typeof e.data === 'string' ? closest(e.data, allowed) : undefined;
      const hint = guess ? ` Did you mean \`${guess}\`?` : '';
      const list = allowed.length <= 12 ? ` Allowed: ${allowed.map((a) => `\`${a}\``).join(', ')}.` : '';
      const span = valueSpan(doc, path);
      const finding = err(
        CODES.schemaEnum,
        `\`${field}\` has ${describe(e.data)}, which is not an allowed value.${hint}${list}`,
        span,
        {
          allowed,
          ...(guess ? { suggestion: guess } : {}),
        },
      );
      const node = locate(doc.yaml, path).node;
      if (guess && isScalar(node) && node.range && node.range[0] === span.start) {
        // Keep the value's quoting style.
        const q = node.type === 'QUOTE_DOUBLE' ? '"' : node.type === 'QUOTE_SINGLE' ? "'" : '';
        return {
          ...finding,
          fixes: [
            {
              title: `Change to \`${guess}\``,
              edits: [{ start: span.start, end: span.end, newText: `${q}${guess}${q}` }],
              preferred: true,
            },
          ],
        };
      }
      return finding;
    }
    case 'pattern': {
      const custom = (e.parentSchema as { errorMessage?: unknown } | undefined)?.errorMessage;
      const message =
        typeof custom === 'string'
          ? `\`${field}\`: ${custom}`
          : `\`${field}\` has ${describe(e.data)}, which does not match the pattern \`${String(params['pattern'])}\`.`;
      return err(CODES.schemaPattern, message, valueSpan(doc, path));
    }
    case 'format': {
      const names: Record<string, string> = {
        cidr: 'a CIDR such as 10.0.0.0/8 or 2001:db8::/32',
        int32: 'a 32-bit integer',
        int64: 'a 64-bit integer',
        'date-time': 'an RFC 3339 date-time',
      };
      const fmt = String(params['format']);
      if (typeof e.data === 'string' && PLACEHOLDER.test(e.data)) {
        // A substitution variable (CI manifests use e.g. `NODE_IP/32`, filled in by sed or envsubst):
        // worth a note, not an error, since the file is a template rather than the object applied.
        return {
          code: CODES.schemaFormat,
          severity: 'information',
          message: `\`${field}\` holds the placeholder ${describe(e.data)}; it must be ${names[fmt] ?? fmt} once substituted.`,
          span: valueSpan(doc, path),
        };
      }
      const span = valueSpan(doc, path);
      const nearest = fmt === 'cidr' && typeof e.data === 'string' ? nearestCidr(e.data) : undefined;
      const finding = err(
        CODES.schemaFormat,
        `\`${field}\` must be ${names[fmt] ?? fmt}, not ${describe(e.data)}.${nearest ? ` Did you mean \`${nearest}\`?` : ''}`,
        span,
        nearest ? { suggestion: nearest } : undefined,
      );
      const node = locate(doc.yaml, path).node;
      if (nearest && isScalar(node) && node.range && node.range[0] === span.start) {
        const q = node.type === 'QUOTE_DOUBLE' ? '"' : node.type === 'QUOTE_SINGLE' ? "'" : '';
        return {
          ...finding,
          fixes: [
            {
              title: `Change to \`${nearest}\``,
              edits: [{ start: span.start, end: span.end, newText: `${q}${nearest}${q}` }],
              preferred: true,
            },
          ],
        };
      }
      return finding;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const words: Record<string, string> = {
        minimum: 'at least',
        maximum: 'at most',
        exclusiveMinimum: 'more than',
        exclusiveMaximum: 'less than',
      };
      return err(
        CODES.schemaLimit,
        `\`${field}\` must be ${words[e.keyword]} ${String(params['limit'])}, not ${describe(e.data)}.`,
        valueSpan(doc, path),
      );
    }
    case 'minItems':
    case 'maxItems': {
      const limit = Number(params['limit']);
      const msg =
        e.keyword === 'maxItems' && limit === 0
          ? `\`${field}\` must be empty.`
          : `\`${field}\` must have ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${limit} ${limit === 1 ? 'entry' : 'entries'}.`;
      return err(CODES.schemaLimit, msg, e.keyword === 'minItems' ? objectSpan(doc, path) : valueSpan(doc, path));
    }
    case 'minLength':
    case 'maxLength': {
      const limit = Number(params['limit']);
      return err(
        CODES.schemaLimit,
        `\`${field}\` must be ${e.keyword === 'minLength' ? 'at least' : 'at most'} ${limit} character${limit === 1 ? '' : 's'} long.`,
        valueSpan(doc, path),
      );
    }
    case 'minProperties':
    case 'maxProperties': {
      const limit = Number(params['limit']);
      return err(
        CODES.schemaLimit,
        `\`${field}\` must have ${e.keyword === 'minProperties' ? 'at least' : 'at most'} ${limit} field${limit === 1 ? '' : 's'}.`,
        objectSpan(doc, path),
      );
    }
    case 'uniqueItems':
      return err(CODES.schemaLimit, `\`${field}\` must not contain duplicate entries.`, valueSpan(doc, path));
    case 'oneOf': {
      const names = alternatives(e.parentSchema, 'oneOf', targets);
      const passing = params['passingSchemas'];
      const where = path.length === 0 ? (doc.kind?.kind ?? 'The document') : `\`${field}\``;
      const msg = Array.isArray(passing)
        ? `${where} may set only one of ${quoteList(names, 'or')}.`
        : names.length
          ? `${where} needs exactly one of ${quoteList(names, 'or')}.`
          : `${where} does not match any allowed shape.`;
      // Too many choices: blame the second of them in the file (the first one stands), not the object.
      const span = Array.isArray(passing) ? secondChoiceSpan(doc, path, e.parentSchema) : undefined;
      return err(CODES.schemaOneOf, msg, span ?? objectSpan(doc, path), { alternatives: names });
    }
    case 'anyOf': {
      const names = alternatives(e.parentSchema, 'anyOf', targets);
      const where = path.length === 0 ? (doc.kind?.kind ?? 'The document') : `\`${field}\``;
      if (!names.length) {
        // A type choice such as int-or-string.
        return err(
          CODES.schemaType,
          `\`${field}\` has ${describe(e.data)}, which is not an allowed type.`,
          valueSpan(doc, path),
        );
      }
      return err(
        CODES.schemaOneOf,
        `${where} needs at least one of ${quoteList(names, 'or')}.`,
        objectSpan(doc, path),
        { alternatives: names },
      );
    }
    case ENUM_VERSIONS_KEYWORD:
    case VERSION_KEYWORD: {
      const code = params['removed'] === true ? CODES.versionRemoved : CODES.versionAdded;
      return {
        code,
        severity: 'error',
        message: e.message ?? 'Not available in the target release.',
        span: e.keyword === ENUM_VERSIONS_KEYWORD ? valueSpan(doc, path) : keyOrValue(doc, path),
      };
    }
    default:
      return err(CODES.schemaInvalid, `\`${field}\` ${e.message ?? 'is invalid'}.`, valueSpan(doc, path));
  }
}

function keyOrValue(doc: PolicyDocument, path: readonly string[]): Span {
  const loc = locate(doc.yaml, path);
  return nodeSpan(loc.key as Node | undefined) ?? valueSpan(doc, path);
}
