// SPDX-License-Identifier: Apache-2.0
/**
 * What a lint rule is. Rules look at one policy document as plain data and report problems by
 * path (`['spec', 'egress', 0, 'toFQDNs']`); the engine turns paths into the smallest span
 * (the key or the value), applies settings and suppression comments, and keeps one failing rule
 * from hiding the others. Rules never throw on malformed input: the schema reports shape errors,
 * rules only speak about documents whose relevant parts have the expected shape.
 */
import type { Fix, Severity } from '../core/findings.js';
import type { DataPath } from '../core/data.js';
import type { PolicyDocument, PolicyFile } from '../core/document.js';
import { kindsOf, type KindInfo, type PolicyKindName } from '../core/kinds.js';
import type { TargetVersions } from '../core/versions.js';
import type { EndpointIndex } from '../core/preview.js';
import type { BinaryLookup } from '../core/elf.js';
import type { LintScope } from './scope.js';
import type { DeclaredTarget } from '../core/tetragon/targets.js';

/** What a rule reports. */
export interface RuleFinding {
  /** Where: the path of the offending key/value. */
  readonly path: DataPath;
  /**
   * Which part to underline: the key (default when the path ends in a map key), the value, or,
   * for a list item or a whole object, its first key.
   */
  readonly target?: 'key' | 'value';
  /** For a problem inside a string value: offsets relative to the string's content. */
  readonly inString?: { readonly start: number; readonly end: number };
  readonly message: string;
  /** Overrides the rule's default severity for this finding. */
  readonly severity?: Severity;
  readonly data?: Readonly<Record<string, unknown>>;
  /** Quick fixes; computed by the rule with the helpers in `edit-helpers.ts`. */
  readonly fixes?: readonly Fix[];
}

/** What a rule gets to look at. */
export interface RuleContext {
  /** The document being checked (data, parsed YAML with positions, kind, name, namespace). */
  readonly doc: PolicyDocument;
  readonly kind: KindInfo;
  /** The whole file, for rules that look across documents (a DNS rule in a sibling policy). */
  readonly file: PolicyFile;
  /**
   * The policies of the other files in scope (the CLI run's other inputs, the editor's workspace),
   * for cross-document rules; undefined when the file is linted on its own. Entries whose `source`
   * is {@link source} are this file's, as the scope last saw it: read `file` for those instead.
   */
  readonly scope?: LintScope;
  /** This file's name in the scope's terms (its `ScopeDocument.source`). */
  readonly source?: string;
  /** The releases the user targets. */
  readonly versions: TargetVersions;
  /** The CPU architecture Tetragon policies are checked against (x86_64 when unset). */
  readonly kernelArch?: 'x86_64' | 'arm64';
  /**
   * The workloads the editor (or CLI) knows about, when an inventory has been loaded. Undefined
   * otherwise: rules that speak about what selectors match must then stay silent.
   */
  readonly inventory?: EndpointIndex;
  /**
   * The binaries policies name (`usdts[].path`), read on this machine, when lookups are on.
   * Undefined otherwise: rules about a binary's contents must then stay silent.
   */
  readonly binaries?: BinaryLookup;
  /**
   * Kernels declared in the settings (`ciliumPolicy.tetragon.targets`) that Tetragon policies must
   * load on; the inventory's node pools are added to these by the rules that use them.
   */
  readonly tetragonTargets?: readonly DeclaredTarget[];
}

/** A binary, described by its USDT probes and functions, that a rule's documented examples are checked against. */
export interface ExampleBinary {
  /** The path the examples name. */
  readonly path: string;
  readonly machine: 'x86_64' | 'arm64';
  /** Its probes, with their operands as the SDT notes spell them (`-4@-20(%rbp)`). */
  readonly probes: readonly {
    readonly provider: string;
    readonly name: string;
    readonly operands: readonly string[];
  }[];
  /** The functions it defines (its function symbols). */
  readonly functions?: readonly string[];
}

/** A documented example for `docs/rules.md`. */
export interface RuleExample {
  /** YAML that triggers the rule. */
  readonly bad: string;
  /** The same intent written so the rule is satisfied. */
  readonly good: string;
}

/**
 * One code path that refuses what an error-severity rule reports: the agent's (or the API
 * server's) function, so a reader can check the promise an `error` makes.
 */
export interface AgentSource {
  /** The repository, e.g. `cilium/tetragon`, `cilium/cilium` or `kubernetes/kubernetes`. */
  readonly repo: string;
  /** The file in that repository, e.g. `pkg/selectors/kernel.go`. */
  readonly file: string;
  /** The function (or method) that rejects, e.g. `ParseMatchArg`. */
  readonly func: string;
  /** The releases in which it rejects, e.g. `Tetragon 1.4–1.8` or `Cilium 1.16–1.20`. */
  readonly releases: string;
}

/** One lint rule. */
export interface Rule {
  /** Stable id, `cilium/<kebab-name>` or `tetragon/<kebab-name>`. */
  readonly id: string;
  /** The kinds the rule applies to. */
  readonly kinds: readonly PolicyKindName[];
  readonly defaultSeverity: Exclude<Severity, 'hint'>;
  /** One sentence: what is flagged. Feeds docs/rules.md and hovers. */
  readonly summary: string;
  /** A short paragraph: why it matters (what the agent does with such a policy). */
  readonly rationale: string;
  readonly example: RuleExample;
  /**
   * For rules whose default severity is `error`: where the agent or the API server refuses what
   * the rule reports (the severity contract at the top of `docs/rules.md`).
   */
  readonly rejectedBy?: readonly AgentSource[];
  /**
   * Raw settings (the `ciliumPolicy` section) the documented examples are linted with, for rules
   * that only apply to some releases (e.g. `{ ciliumVersion: '1.19' }`).
   */
  readonly exampleSettings?: Readonly<Record<string, unknown>>;
  /**
   * True for rules that report only against an inventory ({@link RuleContext.inventory}); their
   * documented examples are checked with an inventory built from the example's own manifests.
   */
  readonly requiresInventory?: boolean;
  /**
   * True for rules that read other documents of the file ({@link RuleContext.file}`.documents`) or
   * of the other files in scope ({@link RuleContext.scope}).
   * The findings of every other rule depend on the document alone, so the language server reuses
   * them while the document's text is unchanged; these (and inventory rules) run on every lint.
   */
  readonly crossDocument?: boolean;
  /**
   * True for rules that read the binaries a policy names ({@link RuleContext.binaries}); they run on
   * every lint, since the file on disk can change while the policy does not.
   */
  readonly readsBinaries?: boolean;
  /** For rules that read binaries: the binary the documented examples are checked against. */
  readonly exampleBinary?: ExampleBinary;
  /** Returns the problems found. May assume nothing about the data's shape. */
  check(ctx: RuleContext): readonly RuleFinding[];
}

/** The kinds of each policy language, from the kind registry: what most rules list as their `kinds`. */
export const CILIUM_NETWORK_POLICY_KINDS: readonly PolicyKindName[] = kindsOf('cilium-network-policy');
export const CILIUM_ENVOY_CONFIG_KINDS: readonly PolicyKindName[] = kindsOf('cilium-envoy-config');
export const TRACING_POLICY_KINDS: readonly PolicyKindName[] = kindsOf('tetragon-tracing-policy');
