// SPDX-License-Identifier: Apache-2.0
/**
 * `.cilium-policy.yaml`: the project's rule settings, read by the CLI and by the language server
 * from the workspace root. It uses the same keys as the editor's `ciliumPolicy` section:
 *
 *   ciliumVersion: "1.19"
 *   tetragonVersion: "1.7"
 *   tetragon:
 *     kernelArch: arm64
 *     binaryRoot: ./rootfs
 *     targets:
 *       - { name: edge-arm, arch: arm64, kernel: 5.10.0, features: { lsm: false } }
 *   rules:
 *     cilium/mixed-peer-types: warning
 *     schema/unknown-field: "off"
 *   agent:                      # cilium-agent options for connectivity verdicts
 *     enableHostFirewall: true
 *
 * Precedence: the file describes the project (its target releases, the nodes' architecture, their
 * kernels and where their binaries are unpacked win over the editor's defaults);
 * rule severities from the editor are applied on top of the file's, so a user can still silence a
 * rule locally.
 *
 * Trust: a key that makes the tools read files other than the policies (`tetragon.binaryRoot`; the
 * coming inventory and PolicyTest paths) is {@link TRUSTED_ONLY_KEYS}. The language server honours
 * it only when the editor says the workspace is trusted (see {@link untrustedView}); the CLI is
 * trusted by definition (the user ran it on these files). And a file never turns binary reading
 * back on when the editor's setting turned it off (`""`), trusted or not.
 */
import { parse } from 'yaml';
import { normalizeSettings, type Settings } from './settings.js';
import { KNOWN_RELEASES, parseVersion } from './core/versions.js';

/** The name of the project configuration file. */
export const CONFIG_FILE_NAME = '.cilium-policy.yaml';

/** The parsed configuration file: its raw settings section, or a problem to report. */
export interface ProjectConfig {
  readonly raw: Readonly<Record<string, unknown>>;
  /** A human-readable problem with the file (unreadable YAML, not a map, unknown keys). */
  readonly problems: readonly string[];
}

const KNOWN_KEYS = new Set(['ciliumVersion', 'tetragonVersion', 'rules', 'validate', 'lint', 'tetragon', 'agent']);

/** Parses the text of a configuration file. Never throws. */
export function parseProjectConfig(text: string): ProjectConfig {
  let data: unknown;
  try {
    data = parse(text, { maxAliasCount: 100 });
  } catch (e) {
    return { raw: {}, problems: [`${CONFIG_FILE_NAME} is not valid YAML: ${(e as Error).message.split('\n')[0]}`] };
  }
  if (data === null || data === undefined) return { raw: {}, problems: [] };
  if (typeof data !== 'object' || Array.isArray(data))
    return { raw: {}, problems: [`${CONFIG_FILE_NAME} must be a map of settings.`] };
  const raw = data as Record<string, unknown>;
  const problems = Object.keys(raw)
    .filter((k) => !KNOWN_KEYS.has(k))
    .map((k) => `${CONFIG_FILE_NAME}: unknown setting \`${k}\` (known: ${[...KNOWN_KEYS].join(', ')}).`);
  for (const product of ['cilium', 'tetragon'] as const) {
    const problem = versionProblem(product, raw[`${product}Version`]);
    if (problem) problems.push(problem);
  }
  return { raw, problems };
}

/**
 * A warning for a version the release history does not describe, naming the supported range. YAML
 * reads an unquoted `1.20` as the number 1.2, which is then the release targeted: say so.
 */
export function versionProblem(product: 'cilium' | 'tetragon', value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const releases = KNOWN_RELEASES[product];
  const name = product === 'cilium' ? 'Cilium' : 'Tetragon';
  const key = `${product}Version`;
  const range = `${name} ${releases[0]}–${releases[releases.length - 1]}`;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  const parsed = text === undefined ? undefined : parseVersion(text);
  if (!parsed) {
    return `${CONFIG_FILE_NAME}: \`${key}\` must be a release such as "${releases[releases.length - 1]}" (supported: ${range}); it is ignored.`;
  }
  const release = `${parsed[0]}.${parsed[1]}`;
  if (releases.includes(release)) {
    // `1.20` unquoted is the number 1.2, which happens to be no release; caught below. A number that
    // reads as a supported release (1.18) is fine.
    return undefined;
  }
  const quoted =
    typeof value === 'number' && releases.some((r) => Number(r) === value)
      ? ` YAML reads the unquoted ${String(value)} as a number; quote it: "${releases.find((r) => Number(r) === value)!}".`
      : '';
  return `${CONFIG_FILE_NAME}: \`${key}: ${text}\` is not a release cilium-policy knows; it supports ${range}, and checks run as if for ${name} ${release}.${quoted}`;
}

/**
 * Keys of the file (as paths of keys) that make the tools read files outside the policies; the
 * language server honours them only in a trusted workspace.
 */
export const TRUSTED_ONLY_KEYS: readonly (readonly string[])[] = [['tetragon', 'binaryRoot']];

/**
 * The editor settings a project file may set, and when: `always`, or `trusted` (in a trusted
 * workspace only; the CLI always is). Settings not listed are never read from the file. The README's
 * settings table is generated from this (`scripts/settings-table.mjs`).
 */
export const PROJECT_FILE_SETTINGS: Readonly<Record<string, 'always' | 'trusted'>> = {
  'ciliumPolicy.ciliumVersion': 'always',
  'ciliumPolicy.tetragonVersion': 'always',
  'ciliumPolicy.tetragon.kernelArch': 'always',
  'ciliumPolicy.tetragon.binaryRoot': 'trusted',
  'ciliumPolicy.rules': 'always',
  'ciliumPolicy.agent': 'always',
};

function hasKeyPath(raw: Readonly<Record<string, unknown>>, keys: readonly string[]): boolean {
  let at: unknown = raw;
  for (const k of keys) {
    if (at === null || typeof at !== 'object' || Array.isArray(at)) return false;
    at = (at as Record<string, unknown>)[k];
  }
  return at !== undefined;
}

function withoutKeyPath(raw: Readonly<Record<string, unknown>>, keys: readonly string[]): Record<string, unknown> {
  const [first, ...rest] = keys;
  if (first === undefined) return { ...raw };
  const copy: Record<string, unknown> = { ...raw };
  if (rest.length === 0) delete copy[first];
  else {
    const inner = copy[first];
    if (inner !== null && typeof inner === 'object' && !Array.isArray(inner))
      copy[first] = withoutKeyPath(inner as Record<string, unknown>, rest);
  }
  return copy;
}

/**
 * The file as an untrusted workspace may use it: without the {@link TRUSTED_ONLY_KEYS}, with a
 * problem naming each key left out (for the server's log).
 */
export function untrustedView(project: ProjectConfig): ProjectConfig {
  let raw: Record<string, unknown> = { ...project.raw };
  const problems = [...project.problems];
  for (const keys of TRUSTED_ONLY_KEYS) {
    if (!hasKeyPath(raw, keys)) continue;
    raw = withoutKeyPath(raw, keys);
    problems.push(
      `${CONFIG_FILE_NAME}: \`${keys.join('.')}\` is ignored: the workspace is not trusted, and this setting makes the server read files outside the policies. Trust the workspace, or set \`ciliumPolicy.${keys.join('.')}\` in your user settings.`,
    );
  }
  return { raw, problems };
}

/** Combines the project file with the editor's (or CLI flags') raw settings. */
export function mergeSettings(editorRaw: unknown, project: ProjectConfig | undefined): Settings {
  const editor = normalizeSettings(editorRaw);
  if (!project) return editor;
  const file = normalizeSettings(project.raw);
  const has = (k: string): boolean => project.raw[k] !== undefined;
  const tetragon = project.raw['tetragon'];
  const hasTetragon = (k: string): boolean =>
    tetragon !== null && typeof tetragon === 'object' && (tetragon as Record<string, unknown>)[k] !== undefined;
  return {
    ...editor,
    ciliumVersion: has('ciliumVersion') ? file.ciliumVersion : editor.ciliumVersion,
    tetragonVersion: has('tetragonVersion') ? file.tetragonVersion : editor.tetragonVersion,
    // The nodes' architecture and where their binaries are unpacked describe the project too.
    tetragonKernelArch: hasTetragon('kernelArch') ? file.tetragonKernelArch : editor.tetragonKernelArch,
    // Off in the editor stays off: the file may say where binaries are, not turn reading back on.
    tetragonBinaryRoot:
      hasTetragon('binaryRoot') && editor.tetragonBinaryRoot !== ''
        ? file.tetragonBinaryRoot
        : editor.tetragonBinaryRoot,
    tetragonTargets: hasTetragon('targets') ? file.tetragonTargets : editor.tetragonTargets,
    rules: { ...file.rules, ...editor.rules },
    // The file's `agent:` describes the cluster: its options win over the editor's, one by one.
    agent: { ...editor.agent, ...file.agent },
  };
}
