// SPDX-License-Identifier: Apache-2.0
/**
 * The rule registry.
 *
 * Design: one rule per file, named after its id (`cilium/foo-bar` lives in `cilium-foo-bar.ts`),
 * each exporting a single `Rule`. This list is explicit and sorted by id, so adding a rule touches
 * three places: the rule file, its test in `test/rules/`, and one line here. All rules are always
 * registered; users turn one off with `ciliumPolicy.rules: { "<id>": "off" }` or a
 * `# cilium-policy disable-next-line <id>` comment, never through conditional registration.
 * `docs/rules.md` is generated from this list (`npm run docs:rules`); a test fails when it is stale.
 */
import type { Rule } from './rule.js';
import { rule as ciliumAllowAllPeers } from './rules/cilium-allow-all-peers.js';
import { rule as ciliumCidrExcept } from './rules/cilium-cidr-except.js';
import { rule as ciliumCidrHostBits } from './rules/cilium-cidr-host-bits.js';
import { rule as ciliumDnsRulePlacement } from './rules/cilium-dns-rule-placement.js';
import { rule as ciliumEmptyRuleSections } from './rules/cilium-empty-rule-sections.js';
import { rule as ciliumEmptySectionWithoutDefaultDeny } from './rules/cilium-empty-section-without-default-deny.js';
import { rule as ciliumEnvoyInternalListener } from './rules/cilium-envoy-internal-listener.js';
import { rule as ciliumEnvoyResourceNames } from './rules/cilium-envoy-resource-names.js';
import { rule as ciliumEnvoyResourceType } from './rules/cilium-envoy-resource-type.js';
import { rule as ciliumEnvoyTerminalHttpFilter } from './rules/cilium-envoy-terminal-http-filter.js';
import { rule as ciliumEnvoyUnresolvedReference } from './rules/cilium-envoy-unresolved-reference.js';
import { rule as ciliumExtendedProtocol } from './rules/cilium-extended-protocol.js';
import { rule as ciliumForeignNamespaceSelector } from './rules/cilium-foreign-namespace-selector.js';
import { rule as ciliumFqdnWithoutDnsRule } from './rules/cilium-fqdn-without-dns-rule.js';
import { rule as ciliumHostPolicyL7 } from './rules/cilium-host-policy-l7.js';
import { rule as ciliumHttpNeedsTcp } from './rules/cilium-http-needs-tcp.js';
import { rule as ciliumHttpRegex } from './rules/cilium-http-regex.js';
import { rule as ciliumIcmpTypeFamily } from './rules/cilium-icmp-type-family.js';
import { rule as ciliumIcmpsWithToPorts } from './rules/cilium-icmps-with-to-ports.js';
import { rule as ciliumInvalidLabelKey } from './rules/cilium-invalid-label-key.js';
import { rule as ciliumInvalidPort } from './rules/cilium-invalid-port.js';
import { rule as ciliumL7OnPortZero } from './rules/cilium-l7-on-port-zero.js';
import { rule as ciliumLabelKeyTypo } from './rules/cilium-label-key-typo.js';
import { rule as ciliumLegacyL7Rules } from './rules/cilium-legacy-l7-rules.js';
import { rule as ciliumListenerPlacement } from './rules/cilium-listener-placement.js';
import { rule as ciliumListenerReference } from './rules/cilium-listener-reference.js';
import { rule as ciliumMissingPolicyName } from './rules/cilium-missing-policy-name.js';
import { rule as ciliumMixedPeerTypes } from './rules/cilium-mixed-peer-types.js';
import { rule as ciliumNamespacedNodeSelector } from './rules/cilium-namespaced-node-selector.js';
import { rule as ciliumNodePeersNeedFlag } from './rules/cilium-node-peers-need-flag.js';
import { rule as ciliumSelectorRequirementValues } from './rules/cilium-selector-requirement-values.js';
import { rule as ciliumSelectsNothing } from './rules/cilium-selects-nothing.js';
import { rule as ciliumServerNamesWithoutTls } from './rules/cilium-server-names-without-tls.js';
import { rule as ciliumServiceAnyNamespace } from './rules/cilium-service-any-namespace.js';
import { rule as ciliumWorldIpEntity } from './rules/cilium-world-ip-entity.js';
import { rule as tetragonActionNotAllowed } from './rules/tetragon-action-not-allowed.js';
import { rule as tetragonActionParameters } from './rules/tetragon-action-parameters.js';
import { rule as tetragonArgLimits } from './rules/tetragon-arg-limits.js';
import { rule as tetragonArgSource } from './rules/tetragon-arg-source.js';
import { rule as tetragonArgType } from './rules/tetragon-arg-type.js';
import { rule as tetragonDuplicateKprobeCall } from './rules/tetragon-duplicate-kprobe-call.js';
import { rule as tetragonEmptyHookTarget } from './rules/tetragon-empty-hook-target.js';
import { rule as tetragonKernelArgIndex } from './rules/tetragon-kernel-arg-index.js';
import { rule as tetragonKernelArgType } from './rules/tetragon-kernel-arg-type.js';
import { rule as tetragonKernelTargets } from './rules/tetragon-kernel-targets.js';
import { rule as tetragonListReferences } from './rules/tetragon-list-references.js';
import { rule as tetragonMatchArgIndex } from './rules/tetragon-match-arg-index.js';
import { rule as tetragonMatchValues } from './rules/tetragon-match-values.js';
import { rule as tetragonMessageAndTags } from './rules/tetragon-message-and-tags.js';
import { rule as tetragonOneHookSection } from './rules/tetragon-one-hook-section.js';
import { rule as tetragonOperatorArgType } from './rules/tetragon-operator-arg-type.js';
import { rule as tetragonPolicyOptions } from './rules/tetragon-policy-options.js';
import { rule as tetragonReturnArg } from './rules/tetragon-return-arg.js';
import { rule as tetragonSelectorFilterValues } from './rules/tetragon-selector-filter-values.js';
import { rule as tetragonSelectorLimits } from './rules/tetragon-selector-limits.js';
import { rule as tetragonSelectorMacros } from './rules/tetragon-selector-macros.js';
import { rule as tetragonUnknownLsmHook } from './rules/tetragon-unknown-lsm-hook.js';
import { rule as tetragonUnknownSyscall } from './rules/tetragon-unknown-syscall.js';
import { rule as tetragonUnknownTracepoint } from './rules/tetragon-unknown-tracepoint.js';
import { rule as tetragonUprobeSymbol } from './rules/tetragon-uprobe-symbol.js';
import { rule as tetragonUsdtProbe } from './rules/tetragon-usdt-probe.js';
import { rule as tetragonWorkloadSelectors } from './rules/tetragon-workload-selectors.js';

export const RULES: readonly Rule[] = [
  ciliumAllowAllPeers,
  ciliumCidrExcept,
  ciliumCidrHostBits,
  ciliumDnsRulePlacement,
  ciliumEmptyRuleSections,
  ciliumEmptySectionWithoutDefaultDeny,
  ciliumEnvoyInternalListener,
  ciliumEnvoyResourceNames,
  ciliumEnvoyResourceType,
  ciliumEnvoyTerminalHttpFilter,
  ciliumEnvoyUnresolvedReference,
  ciliumExtendedProtocol,
  ciliumForeignNamespaceSelector,
  ciliumFqdnWithoutDnsRule,
  ciliumHostPolicyL7,
  ciliumHttpNeedsTcp,
  ciliumHttpRegex,
  ciliumIcmpTypeFamily,
  ciliumIcmpsWithToPorts,
  ciliumInvalidLabelKey,
  ciliumInvalidPort,
  ciliumL7OnPortZero,
  ciliumLabelKeyTypo,
  ciliumLegacyL7Rules,
  ciliumListenerPlacement,
  ciliumListenerReference,
  ciliumMissingPolicyName,
  ciliumMixedPeerTypes,
  ciliumNamespacedNodeSelector,
  ciliumNodePeersNeedFlag,
  ciliumSelectorRequirementValues,
  ciliumSelectsNothing,
  ciliumServerNamesWithoutTls,
  ciliumServiceAnyNamespace,
  ciliumWorldIpEntity,
  tetragonActionNotAllowed,
  tetragonActionParameters,
  tetragonArgLimits,
  tetragonArgSource,
  tetragonArgType,
  tetragonDuplicateKprobeCall,
  tetragonEmptyHookTarget,
  tetragonKernelArgIndex,
  tetragonKernelArgType,
  tetragonKernelTargets,
  tetragonListReferences,
  tetragonMatchArgIndex,
  tetragonMatchValues,
  tetragonMessageAndTags,
  tetragonOneHookSection,
  tetragonOperatorArgType,
  tetragonPolicyOptions,
  tetragonReturnArg,
  tetragonSelectorFilterValues,
  tetragonSelectorLimits,
  tetragonSelectorMacros,
  tetragonUnknownLsmHook,
  tetragonUnknownSyscall,
  tetragonUnknownTracepoint,
  tetragonUprobeSymbol,
  tetragonUsdtProbe,
  tetragonWorkloadSelectors,
];

/** Looks a rule up by id. */
export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
