// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'tetragon/selector-filter-values';

test('flags binary, namespace and capability values the agent rejects', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: filters
spec:
  kprobes:
    - call: sys_write
      selectors:
        - matchBinaries:
            - operator: Prefix
              followChildren: true
#             ^^^^^^^^^^^^^^ error tetragon/selector-filter-values \`Prefix\`
              values: ["/usr/", "/${'p'.repeat(256)}"]
#                               ${'^'.repeat(259)} error tetragon/selector-filter-values 256 bytes
          matchParentBinaries:
            - operator: In
              followChildren: true
              values: []
#             ^^^^^^ warning tetragon/selector-filter-values skipped
          matchNamespaces:
            - namespace: Mnt
              operator: In
              values: ["host_ns", "4026531840", "mnt:[4026531840]", "1", "2"]
#             ^^^^^^ error tetragon/selector-filter-values at most 4
#                                               ^^^^^^^^^^^^^^^^^^ error tetragon/selector-filter-values inode
          matchNamespaceChanges:
            - operator: In
              values: [Mnt, net, Network]
#                                ^^^^^^^ error tetragon/selector-filter-values namespace types
          matchCapabilities:
            - operator: In
              values: [CAP_SYS_ADMIN, cap_net_raw, DAC_OVERRIDE, CAP_DAC_OVERRIDE, CAP_SYS_ADMN]
#                                                                ^^^^^^^^^^^^^^^^ error tetragon/selector-filter-values without \`CAP_\`
#                                                                                  ^^^^^^^^^^^^ error tetragon/selector-filter-values \`CAP_SYS_ADMIN\`
`,
    [ID],
  );
});
