// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';
import { normalizeSettings } from '../../server/src/settings.js';

const ID = 'cilium/cidr-except';

test('flags exceptions of another family, broader than or outside cidr', () => {
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
            - 10.0.0.0/24
        - cidrGroupSelector:
            matchLabels:
              team: partners
          except:
            - 10.0.1.0/24
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

const older = (broader: string, group: string) => `apiVersion: cilium.io/v2
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
#             ^^^^^^^^^^^ warning cilium/cidr-except ${broader}
            - 10.1.0.0/24
#             ^^^^^^^^^^^ error cilium/cidr-except not inside
        - cidrGroupRef: partners
          except:${group}
            - 10.0.0.0/24
`;

test('before 1.20 a broader exception loads (and selects nothing); 1.16 rejects except next to cidrGroupRef', () => {
  checkAnnotated(older('Cilium 1.19 loads it', ''), [ID], normalizeSettings({ ciliumVersion: '1.19' }));
  checkAnnotated(older('excludes every address', ''), [ID], normalizeSettings({ ciliumVersion: '1.17' }));
  checkAnnotated(
    older('Cilium 1.16 loads it', '\n#         ^^^^^^ error cilium/cidr-except next to `cidrGroupRef`'),
    [ID],
    normalizeSettings({ ciliumVersion: '1.16' }),
  );
});

test('the address of an exception is what must lie inside cidr, as the agent checks it', () => {
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
            - 10.0.0.200/25
            - 10.0.1.7/30
#             ^^^^^^^^^^^ error cilium/cidr-except not inside
`,
    [ID],
  );
});
