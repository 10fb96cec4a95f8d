// SPDX-License-Identifier: Apache-2.0
/**
 * JSON Schemas for the settings, generated from what the code knows: the `ciliumPolicy.rules`
 * setting completes every rule id and diagnostic code with the severities a rule can be set to,
 * and `.cilium-policy.yaml` gets a schema of its own (versions as enums of the supported releases,
 * the Tetragon section, the rules). `scripts/gen-settings-schema.mjs` writes them into package.json
 * and `schemas/cilium-policy-config.json`; `test/unit/settings-schema.test.ts` fails when either is
 * stale. VS Code validates the setting, and yaml-language-server (Red Hat's YAML extension, and this
 * server's own completion) validates and completes the file.
 */
import { CODES, FEATURE_CODES } from '../core/findings.js';
import { KNOWN_RELEASES } from '../core/versions.js';
import { RULES } from './registry.js';

/** What a rule or code can be set to, in the order the schema lists them. */
export const RULE_SEVERITIES = ['off', 'error', 'warning', 'information'] as const;

/** The diagnostic codes that do not come from a rule, with what they report. */
const CODE_WORDS: Readonly<Record<string, string>> = {
  [CODES.yamlSyntax]: 'YAML the parser cannot read.',
  [CODES.yamlDuplicateKey]: 'A key written twice in one map.',
  [CODES.templated]: 'A templated document (Helm, Terraform) that is not validated.',
  [CODES.fileSkipped]: 'A file that is not validated (too large, binary, templated as a whole).',
  [CODES.wrongApiVersion]: 'One of our kinds with the wrong `apiVersion`.',
  [CODES.schemaUnknownField]: 'A field the schema does not know (usually a typo).',
  [CODES.schemaRequired]: 'A required field is missing.',
  [CODES.schemaType]: 'A value of the wrong type (a number where a string is expected…).',
  [CODES.schemaEnum]: 'A value outside the allowed set.',
  [CODES.schemaPattern]: 'A value that does not match the required pattern.',
  [CODES.schemaFormat]: 'A value in the wrong format (a CIDR, a date…).',
  [CODES.schemaLimit]: 'A number or a list beyond its limits.',
  [CODES.schemaOneOf]: 'None (or more than one) of the allowed shapes.',
  [CODES.schemaInvalid]: 'Anything else the schema rejects.',
  [CODES.schemaNullValue]: 'A field left empty (null).',
  [CODES.versionRemoved]: 'A field the targeted release no longer accepts.',
  [CODES.versionAdded]: 'A field the targeted release does not know yet.',
  [CODES.ruleFailed]: 'A lint rule that failed on this document (a bug to report).',
};

type Json = Record<string, unknown>;

function severityEnum(): Json {
  return { enum: [...RULE_SEVERITIES] };
}

/** One property per rule id and diagnostic code, each a severity, with what it reports. */
export function rulesProperties(): Json {
  const out: Json = {};
  for (const r of [...RULES].sort((a, b) => (a.id < b.id ? -1 : 1)))
    out[r.id] = { ...severityEnum(), markdownDescription: `${r.summary} (default: \`${r.defaultSeverity}\`)` };
  for (const [code, words] of Object.entries({ ...CODE_WORDS, ...FEATURE_CODES }).sort(([a], [b]) => (a < b ? -1 : 1)))
    out[code] = { ...severityEnum(), markdownDescription: words };
  return out;
}

/** `"1.16" … "1.20"`: the range a version setting accepts, for messages. */
export function releaseRange(product: 'cilium' | 'tetragon'): string {
  const r = KNOWN_RELEASES[product];
  return `${r[0]}–${r[r.length - 1]}`;
}

/** The schema of a version setting: an enum of the releases the release history describes. */
export function versionSchema(product: 'cilium' | 'tetragon'): Json {
  const name = product === 'cilium' ? 'Cilium' : 'Tetragon';
  const releases = KNOWN_RELEASES[product];
  return {
    type: 'string',
    enum: [...releases],
    markdownEnumDescriptions: releases.map(
      (v, i) => `${name} ${v}${i === releases.length - 1 ? ' (the newest; what the bundled schemas describe)' : ''}.`,
    ),
    errorMessage: `Use a ${name} release from ${releaseRange(product)}, quoted (\`"${releases[releases.length - 1]}"\`).`,
  };
}

/** The JSON Schema of `.cilium-policy.yaml`. */
export function projectConfigSchema(): Json {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'cilium-policy:///cilium-policy-config.json',
    title: '.cilium-policy.yaml',
    description:
      'Project settings of cilium-policy: the releases the policies target, the nodes Tetragon policies load on, and rule severities. Read by the CLI and the language server from the workspace root.',
    type: 'object',
    additionalProperties: false,
    properties: {
      ciliumVersion: {
        ...versionSchema('cilium'),
        description: 'The Cilium release the network policies and Envoy configs are written for, as major.minor.',
      },
      tetragonVersion: {
        ...versionSchema('tetragon'),
        description: 'The Tetragon release the tracing policies are written for, as major.minor.',
      },
      tetragon: {
        type: 'object',
        description: 'The nodes Tetragon policies load on.',
        additionalProperties: false,
        properties: {
          kernelArch: {
            type: 'string',
            enum: ['x86_64', 'arm64'],
            description: 'The CPU architecture of the nodes (syscall names differ between architectures).',
          },
          binaryRoot: {
            type: 'string',
            description:
              'Where the binaries USDT hooks and uprobes name are read: `/` as on this machine, a folder (an unpacked image) in front of the path, empty for none. Honoured in trusted workspaces only.',
          },
          targets: {
            type: 'array',
            description: 'Kernels the policies must load on (node pools), checked by tetragon/kernel-targets.',
            items: {
              type: 'object',
              required: ['name', 'arch', 'kernel'],
              additionalProperties: false,
              properties: {
                name: { type: 'string', description: 'A name for messages, e.g. a node pool.' },
                arch: { type: 'string', enum: ['x86_64', 'arm64'], description: 'The CPU architecture.' },
                kernel: { type: 'string', description: 'The kernel release, as `uname -r` prints it.' },
                features: {
                  type: 'object',
                  description:
                    'Kernel features known to be present (true) or absent (false), as `tetra probe` names them.',
                  additionalProperties: { type: 'boolean' },
                },
              },
            },
          },
        },
      },
      rules: {
        type: 'object',
        description: 'Severity overrides, keyed by rule id or diagnostic code.',
        properties: rulesProperties(),
        additionalProperties: { ...severityEnum() },
      },
      validate: {
        type: 'object',
        description:
          'Accepted for symmetry with the editor settings, but not read from this file: the editor’s `ciliumPolicy.validate.enable` decides.',
      },
      lint: {
        type: 'object',
        description:
          'Accepted for symmetry with the editor settings, but not read from this file: the editor’s `ciliumPolicy.lint.*` settings decide.',
      },
      agent: {
        type: 'object',
        description:
          'Agent options the connectivity verdicts read (`cilium-policy test`), as the cilium-config ConfigMap names them.',
      },
    },
  };
}
