// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'cilium/cidr-except';

test('flags exceptions of another family, broader than or outside cidr, and except without cidr', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: out
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toCIDRSet:
        - cidr: 10.0.0.0/24
          except:
            - 10.0.0.0/16
#             ^^^^^^^^^^^ error cilium/cidr-except broader
            - 10.1.0.0/24
#             ^^^^^^^^^^^ error cilium/cidr-except not inside
            - "2001:db8::/64"
#             ^^^^^^^^^^^^^^^ error cilium/cidr-except same family
            - 10.0.0.128/25
            - 10.0.0.0/24
        - cidrGroupRef: partners
          except:
#         ^^^^^^ warning cilium/cidr-except ignored
            - 10.0.0.0/24
  ingressDeny:
    - fromCIDRSet:
        - cidr: "2001:db8::/32"
          except:
            - "2001:db9::/48"
#             ^^^^^^^^^^^^^^^ error cilium/cidr-except not inside
            - "2001:db8:1::/48"
`,
    [ID],
  );
});

test('malformed prefixes are left to the schema', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: out
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toCIDRSet:
        - cidr: 10.0.0.0/33
          except: [10.1.0.0/24]
        - cidr: 10.0.0.0/8
          except: [nonsense, 10.0.0.0]
`,
    [ID],
  );
});
