// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'tetragon/workload-selectors';

test('flags container keys other than name/repo and foreign namespaces in a namespaced policy', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicyNamespaced
metadata:
  name: web
  namespace: shop
spec:
  podSelector:
    matchLabels:
      k8s:io.kubernetes.pod.namespace: billing
#                                      ^^^^^^^ warning tetragon/workload-selectors \`shop\`
  containerSelector:
    matchLabels:
      name: nginx
      image: nginx
#     ^^^^^ warning tetragon/workload-selectors \`image\`
  kprobes:
    - call: sys_write
      selectors:
        - matchWorkloads:
            containerSelector:
              matchExpressions:
                - key: repo
                  operator: In
                  values: [docker.io/library/nginx]
                - key: tag
#                      ^^^ warning tetragon/workload-selectors
                  operator: In
                  values: [latest]
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: cluster
spec:
  podSelector:
    matchLabels:
      k8s:io.kubernetes.pod.namespace: billing
  kprobes:
    - call: sys_write
`,
    [ID],
  );
});
