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
import { rule as ciliumAllowAllPeers } from './cilium-allow-all-peers.js';
import { rule as ciliumCidrExcept } from './cilium-cidr-except.js';
import { rule as ciliumCidrHostBits } from './cilium-cidr-host-bits.js';
import { rule as ciliumDnsRulePlacement } from './cilium-dns-rule-placement.js';
import { rule as ciliumEmptyRuleSections } from './cilium-empty-rule-sections.js';
import { rule as ciliumEmptySectionWithoutDefaultDeny } from './cilium-empty-section-without-default-deny.js';
import { rule as ciliumEnvoyInternalListener } from './cilium-envoy-internal-listener.js';
import { rule as ciliumEnvoyResourceNames } from './cilium-envoy-resource-names.js';
import { rule as ciliumEnvoyResourceType } from './cilium-envoy-resource-type.js';
import { rule as ciliumEnvoyTerminalHttpFilter } from './cilium-envoy-terminal-http-filter.js';
import { rule as ciliumEnvoyUnresolvedReference } from './cilium-envoy-unresolved-reference.js';
import { rule as ciliumExtendedProtocol } from './cilium-extended-protocol.js';
import { rule as ciliumForeignNamespaceSelector } from './cilium-foreign-namespace-selector.js';
import { rule as ciliumFqdnWithoutDnsRule } from './cilium-fqdn-without-dns-rule.js';
import { rule as ciliumHostPolicyL7 } from './cilium-host-policy-l7.js';
import { rule as ciliumHttpNeedsTcp } from './cilium-http-needs-tcp.js';
import { rule as ciliumHttpRegex } from './cilium-http-regex.js';
import { rule as ciliumIcmpTypeFamily } from './cilium-icmp-type-family.js';
import { rule as ciliumIcmpsWithToPorts } from './cilium-icmps-with-to-ports.js';
import { rule as ciliumInvalidLabelKey } from './cilium-invalid-label-key.js';
import { rule as ciliumInvalidPort } from './cilium-invalid-port.js';
import { rule as ciliumL7OnPortZero } from './cilium-l7-on-port-zero.js';
import { rule as ciliumLabelKeyTypo } from './cilium-label-key-typo.js';
import { rule as ciliumLegacyL7Rules } from './cilium-legacy-l7-rules.js';
import { rule as ciliumListenerPlacement } from './cilium-listener-placement.js';
import { rule as ciliumListenerReference } from './cilium-listener-reference.js';
import { rule as ciliumMissingPolicyName } from './cilium-missing-policy-name.js';
import { rule as ciliumMixedPeerTypes } from './cilium-mixed-peer-types.js';
import { rule as ciliumNamespacedNodeSelector } from './cilium-namespaced-node-selector.js';
import { rule as ciliumNodePeersNeedFlag } from './cilium-node-peers-need-flag.js';
import { rule as ciliumSelectorRequirementValues } from './cilium-selector-requirement-values.js';
import { rule as ciliumSelectsNothing } from './cilium-selects-nothing.js';
import { rule as ciliumServerNamesWithoutTls } from './cilium-server-names-without-tls.js';
import { rule as ciliumServiceAnyNamespace } from './cilium-service-any-namespace.js';
import { rule as ciliumWorldIpEntity } from './cilium-world-ip-entity.js';
import { rule as tetragonActionNotAllowed } from './tetragon-action-not-allowed.js';
import { rule as tetragonActionParameters } from './tetragon-action-parameters.js';
import { rule as tetragonArgLimits } from './tetragon-arg-limits.js';
import { rule as tetragonArgSource } from './tetragon-arg-source.js';
import { rule as tetragonArgType } from './tetragon-arg-type.js';
import { rule as tetragonDuplicateKprobeCall } from './tetragon-duplicate-kprobe-call.js';
import { rule as tetragonEmptyHookTarget } from './tetragon-empty-hook-target.js';
import { rule as tetragonKernelArgIndex } from './tetragon-kernel-arg-index.js';
import { rule as tetragonKernelArgType } from './tetragon-kernel-arg-type.js';
import { rule as tetragonListReferences } from './tetragon-list-references.js';
import { rule as tetragonMatchArgIndex } from './tetragon-match-arg-index.js';
import { rule as tetragonMatchValues } from './tetragon-match-values.js';
import { rule as tetragonMessageAndTags } from './tetragon-message-and-tags.js';
import { rule as tetragonOneHookSection } from './tetragon-one-hook-section.js';
import { rule as tetragonOperatorArgType } from './tetragon-operator-arg-type.js';
import { rule as tetragonPolicyOptions } from './tetragon-policy-options.js';
import { rule as tetragonReturnArg } from './tetragon-return-arg.js';
import { rule as tetragonSelectorFilterValues } from './tetragon-selector-filter-values.js';
import { rule as tetragonSelectorLimits } from './tetragon-selector-limits.js';
import { rule as tetragonSelectorMacros } from './tetragon-selector-macros.js';
import { rule as tetragonUnknownLsmHook } from './tetragon-unknown-lsm-hook.js';
import { rule as tetragonUnknownSyscall } from './tetragon-unknown-syscall.js';
import { rule as tetragonUnknownTracepoint } from './tetragon-unknown-tracepoint.js';
import { rule as tetragonUprobeSymbol } from './tetragon-uprobe-symbol.js';
import { rule as tetragonUsdtProbe } from './tetragon-usdt-probe.js';
import { rule as tetragonWorkloadSelectors } from './tetragon-workload-selectors.js';

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
