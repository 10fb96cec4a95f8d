// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';
import { normalizeSettings } from '../../server/src/settings.js';

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

test('lengths count bytes, namespaces are decimal, empty binary filters are skipped before followChildren', () => {
  const text = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: filters
spec:
  kprobes:
    - call: sys_write
      selectors:
        - matchBinaries:
            - operator: In
              values: ["/${'é'.repeat(127)}", "/${'é'.repeat(128)}"]
#${' '.repeat(155 - 1)}${'^'.repeat(131)} error tetragon/selector-filter-values 255 bytes
          matchNamespaces:
            - namespace: Pid
              operator: NotIn
              values: ["4026531836", "0x10", "4294967296"]
#                                    ^^^^^^ error tetragon/selector-filter-values decimal
#                                            ^^^^^^^^^^^^ error tetragon/selector-filter-values 32 bits
          matchCapabilities:
            - operator: In
              values: [" cap_sys_admin ", "CAP_CHOWN,CAP_KILL"]
#                                         ^^^^^^^^^^^^^^^^^^^^ error tetragon/selector-filter-values one name per value
        - matchParentBinaries:
            - operator: Prefix
              followChildren: true
              values: []
#             ^^^^^^ warning tetragon/selector-filter-values skipped
          matchBinaries:
            - operator: NotIn
              followChildren: true
              values: ["/bin/sh"]
`;
  checkAnnotated(text, [ID]);
  // Tetragon 1.4 follows children for In only, and reads empty filters (so followChildren is checked).
  checkAnnotated(
    text
      .replace('#             ^^^^^^ warning tetragon/selector-filter-values skipped\n', '')
      .replace(
        '              values: [" cap_sys_admin ", "CAP_CHOWN,CAP_KILL"]\n',
        '              values: [" cap_sys_admin ", "CAP_CHOWN,CAP_KILL"]\n#                      ^^^^^^^^^^^^^^^^^ error tetragon/selector-filter-values\n',
      )
      .replace(
        '            - operator: Prefix\n              followChildren: true\n',
        '            - operator: Prefix\n              followChildren: true\n#             ^^^^^^^^^^^^^^ error tetragon/selector-filter-values 1.4\n',
      )
      .replace(
        '            - operator: NotIn\n              followChildren: true\n',
        '            - operator: NotIn\n              followChildren: true\n#             ^^^^^^^^^^^^^^ error tetragon/selector-filter-values 1.4\n',
      ),
    [ID],
    normalizeSettings({ tetragonVersion: '1.4' }),
  );
});
