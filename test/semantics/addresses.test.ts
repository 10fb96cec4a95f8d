// SPDX-License-Identifier: Apache-2.0
/** Single addresses as the engine reads them (`ip:` endpoints, recorded flows), both families. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseFile } from '../../server/src/core/document.js';
import { inventoryFromManifests } from '../../server/src/core/inventory.js';
import { parseAddress } from '../../server/src/semantics/addresses.js';
import { VerdictEngine } from '../../server/src/semantics/engine.js';

test('an address is a full-length prefix of its family', () => {
  assert.deepEqual(
    ['10.0.0.1', 'fd00::1', '::ffff:10.0.0.1', '2001:db8::7'].map((a) => [
      parseAddress(a)?.family,
      parseAddress(a)?.bits,
    ]),
    [
      [4, 32],
      [6, 128],
      [6, 128],
      [6, 128],
    ],
  );
  assert.equal(parseAddress('10.0.0.0/8'), undefined);
  assert.equal(parseAddress('nope'), undefined);
});

test('an IPv6 world address is matched by the IPv6 CIDR rules that cover it', () => {
  const e = new VerdictEngine({ inventory: inventoryFromManifests([]) });
  e.setFile(
    'p.yaml',
    parseFile(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: out, namespace: app}
spec:
  endpointSelector: {matchLabels: {app: web}}
  egress:
    - toCIDR: [2001:db8::/48]
`),
  );
  const web = { namespace: 'app', labels: { app: 'web' } };
  assert.equal(e.evaluate({ from: web, to: { ip: '2001:db8::7' }, port: 443 }).verdict, 'allow');
  assert.equal(e.evaluate({ from: web, to: { ip: '2001:db8:1::7' }, port: 443 }).verdict, 'deny');
});
