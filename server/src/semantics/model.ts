// SPDX-License-Identifier: Apache-2.0
/**
 * The compiled form of network policies the verdict engine evaluates, and the references to the
 * written rules that verdicts hand back (file, line, rule index: what an editor links to).
 */
import type { Span } from '../core/findings.js';
import type { Prefix } from '../core/cilium/cidr.js';
import type { EffectiveSelector } from '../core/selectors.js';
import type { NameMatcher } from './fqdn.js';
import type { HttpRuleSpec } from './http.js';
import type { NetworkPolicyKindName } from '../core/kinds.js';

/** The network-policy kinds the engine reads (the kind registry's `networkPolicyKind`). */
export type VerdictPolicyKind = NetworkPolicyKindName;

/** A verdict. `unknown` carries its reasons beside it; it never passes a test. */
export type Verdict = 'allow' | 'deny' | 'unknown';

/** A rule section. Kubernetes NetworkPolicies have `ingress` and `egress` only. */
export type Section = 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny';

/** A path into a document's data. */
export type DataPath = readonly (string | number)[];

/** A policy document. */
export interface PolicyRef {
  readonly kind: VerdictPolicyKind;
  /** The namespace of a namespaced kind; null for a CiliumClusterwideNetworkPolicy. */
  readonly namespace: string | null;
  readonly name: string;
  /** The file as the caller named it. */
  readonly file: string;
}

/** One written rule (an item of `ingress`, `ingressDeny`, `egress` or `egressDeny`). */
export interface RuleRef extends PolicyRef {
  /** 1-based line of the item. */
  readonly line: number;
  readonly direction: Section;
  /** Position of the item in its section. */
  readonly rule: number;
  /** `specs[i]` index; null for `spec` (and for Kubernetes NetworkPolicies). */
  readonly spec: number | null;
  readonly path: DataPath;
  /** UTF-16 offsets of the item in its file. */
  readonly span: Span;
}

/** Where a policy's subject selector is (what makes an endpoint default-deny). */
export interface SubjectRef extends PolicyRef {
  readonly line: number;
  readonly spec: number | null;
  readonly path: DataPath;
  readonly span: Span;
}

/** Why a question has no answer from the inputs. Codes are stable; messages are for people. */
export interface UnknownReason {
  readonly code: UnknownCode;
  readonly message: string;
}

/** Every reason the engine can give for `unknown`. */
export const UNKNOWN_CODES = [
  'fqdn-without-address',
  'address-may-match-fqdn',
  'cidr-node-match-mode',
  'node-address-unknown',
  'world-address-unknown',
  'kube-apiserver-address',
  'pod-cidr-address',
  'service-without-endpoints',
  'service-not-in-inventory',
  'service-backends-disagree',
  'cidr-group-unresolved',
  'cloud-groups',
  'audit-mode',
  'node-placement',
  'named-port-ambiguous',
  'named-port-unknown',
  'http-undecidable',
  'tls-server-name',
  'envoy-listener',
  'authentication',
  'l7-parser-conflict',
  'knp-ipblock-peer',
] as const;

/** A reason code for `unknown`. */
export type UnknownCode = (typeof UNKNOWN_CODES)[number];

/** A port entry of `toPorts[].ports` (or of a Kubernetes NetworkPolicy). */
export interface PortSpec {
  /** `TCP`, `UDP`, `SCTP` or `ANY` (TCP, UDP and SCTP). */
  readonly protocol: 'TCP' | 'UDP' | 'SCTP' | 'ANY';
  /** The port number; 0 for every port (or for a named port). */
  readonly port: number;
  /** The end of a range, when larger than `port`. */
  readonly endPort?: number;
  /** A named port, lower-cased. */
  readonly name?: string;
}

/** The L7 part of a `toPorts` entry. */
export type L7Spec =
  | { readonly kind: 'http'; readonly rules: readonly HttpRuleSpec[] }
  | { readonly kind: 'dns'; readonly rules: readonly NameMatcher[] }
  | { readonly kind: 'sni'; readonly serverNames: readonly string[] }
  | { readonly kind: 'listener'; readonly name: string };

/** A `toPorts` entry. */
export interface PortRuleSpec {
  readonly index: number;
  readonly ports: readonly PortSpec[];
  readonly l7?: L7Spec;
}

/** An `icmps[].fields[]` entry. */
export interface IcmpSpec {
  readonly family: 4 | 6;
  readonly type: number;
}

/** What a rule item allows or denies at L4: everything (an L3-only item), or ports and ICMP types. */
export type L4Spec =
  | { readonly kind: 'any' }
  | { readonly kind: 'ports'; readonly portRules: readonly PortRuleSpec[]; readonly icmps: readonly IcmpSpec[] };

/** One peer of a rule item. */
export type Peer =
  | {
      readonly type: 'selector';
      readonly selector: EffectiveSelector;
      readonly key: string;
      /** Set when Cilium's behaviour for this peer is in doubt: a match is then unknown with this reason. */
      readonly doubt?: UnknownReason;
    }
  | { readonly type: 'nodes'; readonly selector: EffectiveSelector; readonly key: string }
  | { readonly type: 'entity'; readonly entity: string }
  | { readonly type: 'cidr'; readonly text: string; readonly prefix: Prefix; readonly except: readonly Prefix[] }
  | { readonly type: 'cidrGroupRef'; readonly name: string; readonly except: readonly Prefix[] }
  | {
      readonly type: 'cidrGroupSelector';
      readonly selector: EffectiveSelector;
      readonly text: string;
      readonly except: readonly Prefix[];
    }
  | { readonly type: 'fqdn'; readonly matcher: NameMatcher }
  | {
      readonly type: 'service';
      readonly name?: string;
      readonly namespace?: string;
      readonly selector?: EffectiveSelector;
      readonly text: string;
    }
  | { readonly type: 'cloud-group'; readonly text: string };

/** One rule item, compiled. */
export interface CompiledItem {
  readonly ref: RuleRef;
  readonly rule: CompiledRule;
  readonly ingress: boolean;
  readonly deny: boolean;
  /** The peers; `wildcard` for an item that names none but has ports (every peer). */
  readonly peers: readonly Peer[] | 'wildcard';
  readonly l4: L4Spec;
  /** `authentication.mode` when it changes the outcome. */
  readonly auth?: 'required' | 'test-always-fail';
  /**
   * The engine's answers for this item per peer identity (a cache the engine fills: an item is
   * shared by every endpoint its rule selects, as Cilium's selector cache is by every rule).
   */
  readonly cache: ItemCache;
}

/** Whether an item's peers select an identity: yes, no, or unknown with the reason. */
export type PeerMatch = true | false | UnknownReason;

/** See {@link CompiledItem.cache}. */
export interface ItemCache {
  /** False for items whose answer depends on the direction (toFQDNs): those are not kept. */
  readonly shared: boolean;
  /** Answers by identity number, for the first numbers (an array is the fastest lookup). */
  readonly dense: (PeerMatch | undefined)[];
  /** Answers for larger identity numbers (many addresses, as a flow log brings). */
  readonly sparse: Map<number, PeerMatch>;
}

/** One direction of a compiled rule. */
export interface CompiledDirection {
  /** The rule has items in this direction (allow or deny): it enforces policy on its subjects. */
  readonly present: boolean;
  /** `enableDefaultDeny` for this direction (true unless the rule turns it off). */
  readonly defaultDeny: boolean;
  readonly allow: readonly CompiledItem[];
  readonly deny: readonly CompiledItem[];
}

/** One rule (`spec`, `specs[i]`, or a Kubernetes NetworkPolicy), compiled. */
export interface CompiledRule {
  readonly policy: CompiledPolicy;
  readonly spec: number | null;
  /** Pods and reserved endpoints (`endpointSelector`, `podSelector`) or nodes (`nodeSelector`). */
  readonly subject: {
    readonly kind: 'endpoints' | 'nodes';
    readonly selector: EffectiveSelector;
    /** Equal selectors have equal keys (they share selector-cache entries). */
    readonly key: string;
  };
  readonly subjectRef: SubjectRef;
  readonly ingress: CompiledDirection;
  readonly egress: CompiledDirection;
  /** The DNS rules of the egress allow items: the names the DNS proxy lets through. */
  readonly dnsRules: readonly NameMatcher[];
}

/** One policy document, compiled. */
export interface CompiledPolicy {
  readonly ref: PolicyRef;
  /** 1-based line of the document. */
  readonly line: number;
  readonly rules: readonly CompiledRule[];
  /** Why the agent rejects the whole policy; its rules then have no effect. */
  readonly rejected?: string;
}
