// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated, lintForTest } from '../support/annotations.js';
import { normalizeSettings } from '../../server/src/settings.js';

const ID = 'cilium/legacy-l7-rules';
const V119 = normalizeSettings({ ciliumVersion: '1.19' });

const KAFKA = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: kafka
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: kafka
  ingress:
    - toPorts:
        - ports:
            - port: "9092"
              protocol: TCP
          rules:
            kafka:
              - role: produce
                apiKey: produce
#               ^^^^^^ error cilium/legacy-l7-rules not both
              - apiKey: fetchh
#                       ^^^^^^ error cilium/legacy-l7-rules Did you mean \`fetch\`
              - apiKey: Metadata
                apiVersion: "40000"
#                           ^^^^^^^ error cilium/legacy-l7-rules 0 to 32767
              - role: ""
                apiKey: fetch
                apiVersion: "+3"
              - apiKey: produce
                apiVersion: "-1"
#                           ^^^^ error cilium/legacy-l7-rules 0 to 32767
    - toPorts:
        - ports:
            - port: "9000"
              protocol: TCP
          rules:
            l7:
#           ^^ error cilium/legacy-l7-rules l7proto
              - action: allow
`;

test('Kafka and l7 rules are checked for Cilium 1.19', () => {
  checkAnnotated(KAFKA, [ID], V119);
});

test('for Cilium 1.20 the rule is silent (the removal is reported instead)', () => {
  checkAnnotated(KAFKA.replace(/^#.*\n/gm, ''), [ID]);
});

test("the agent's 34 Kafka API names are accepted in any case; later Kafka APIs are not", () => {
  // Kafka's API keys 0–33, by protocol name, as the 1.19 agent's table has them.
  const known = [
    'Produce',
    'Fetch',
    'Offsets',
    'Metadata',
    'LeaderAndIsr',
    'StopReplica',
    'UpdateMetadata',
    'ControlledShutdown',
    'OffsetCommit',
    'OffsetFetch',
    'FindCoordinator',
    'JoinGroup',
    'Heartbeat',
    'LeaveGroup',
    'SyncGroup',
    'DescribeGroups',
    'ListGroups',
    'SaslHandshake',
    'ApiVersions',
    'CreateTopics',
    'DeleteTopics',
    'DeleteRecords',
    'InitProducerId',
    'OffsetForLeaderEpoch',
    'AddPartitionsToTxn',
    'AddOffsetsToTxn',
    'EndTxn',
    'WriteTxnMarkers',
    'TxnOffsetCommit',
    'DescribeAcls',
    'CreateAcls',
    'DeleteAcls',
    'DescribeConfigs',
    'AlterConfigs',
  ];
  assert.equal(known.length, 34);
  const policy = (keys: readonly string[]) =>
    `${KAFKA.split('          rules:\n')[0]}          rules:\n            kafka:\n${keys.map((k) => `              - apiKey: ${k}\n`).join('')}`;
  for (const variant of [known, known.map((k) => k.toLowerCase()), known.map((k) => k.toUpperCase())]) {
    assert.deepEqual(
      lintForTest(policy(variant), V119)
        .filter((f) => f.code === ID)
        .map((f) => f.message),
      [],
    );
  }
  // CreatePartitions (37), DeleteGroups (42), ElectLeaders (43): Kafka has them, the agent's table does not.
  const later = lintForTest(policy(['CreatePartitions', 'DeleteGroups', 'ElectLeaders']), V119).filter(
    (f) => f.code === ID,
  );
  assert.equal(later.length, 3);
});
