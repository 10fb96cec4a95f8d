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
 *
 * Precedence: the file describes the project (its target releases, the nodes' architecture, their
 * kernels and where their binaries are unpacked win over the editor's defaults);
 * rule severities from the editor are applied on top of the file's, so a user can still silence a
 * rule locally.
 */
import { parse } from 'yaml';
import { normalizeSettings, type Settings } from './settings.js';

/** The name of the project configuration file. */
export const CONFIG_FILE_NAME = '.cilium-policy.yaml';

/** The parsed configuration file: its raw settings section, or a problem to report. */
export interface ProjectConfig {
  readonly raw: Readonly<Record<string, unknown>>;
  /** A human-readable problem with the file (unreadable YAML, not a map, unknown keys). */
  readonly problems: readonly string[];
}

const KNOWN_KEYS = new Set(['ciliumVersion', 'tetragonVersion', 'rules', 'validate', 'lint', 'tetragon']);

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
    tetragonBinaryRoot: hasTetragon('binaryRoot') ? file.tetragonBinaryRoot : editor.tetragonBinaryRoot,
    tetragonTargets: hasTetragon('targets') ? file.tetragonTargets : editor.tetragonTargets,
    rules: { ...file.rules, ...editor.rules },
  };
}
