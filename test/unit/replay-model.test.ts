// SPDX-License-Identifier: Apache-2.0
/**
 * The replay section's body: groups of one source → destination:port become one row, as urgent as
 * its most urgent request; every deciding rule gets a target id under the section's prefix that
 * opens its place; hostile strings from a flow log come out bounded and without control characters.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { MAX_TEXT } from '../../server/src/client-safe.js';
import type { ReplayGroup, ReplayResult } from '../../server/src/protocol.js';
import { buildReplayBody, REPLAY_ACTIONS } from '../../client/src/replay-model.js';

function group(over: Partial<ReplayGroup>): ReplayGroup {
  return {
    id: 0,
    source: 'shop/frontend',
    destination: 'shop/api',
    port: 'TCP/8080',
    flows: 3,
    forwarded: 3,
    verdict: 'allow',
    change: 'none',
    changed: 0,
    reason: 'allowed',
    firstTime: '2026-11-30T10:00:01.5Z',
    lastTime: '2026-11-30T10:00:11Z',
    sourcePods: ['frontend-1'],
    destinationPods: ['api-1'],
    decidedBy: [],
    ...over,
  };
}

const range = { start: { line: 3, character: 2 }, end: { line: 9, character: 0 } };

function result(groups: ReplayGroup[], more = 0): ReplayResult {
  return {
    log: {
      path: '/tmp/flows/hubble.jsonl',
      flows: groups.reduce((n, g) => n + g.flows, 0),
      questions: groups.length + more,
      skipped: { reply: 4, notFlow: 0, unparsable: 1 },
      problems: [{ line: 7, message: 'not JSON' }],
    },
    verdicts: { allow: 0, deny: 0, unknown: 0 },
    newlyDenied: groups.filter((g) => g.change === 'newly-denied').reduce((n, g) => n + g.changed, 0),
    newlyAllowed: 0,
    groups,
    more,
  };
}

test('groups of one connection share a row, newly denied first, with rule targets under the prefix', () => {
  const denied = group({
    request: 'POST /v1/orders',
    verdict: 'deny',
    change: 'newly-denied',
    changed: 2,
    decidedBy: [{ text: 'CiliumNetworkPolicy shop/api ingress[0] (api.yaml:19)', uri: 'file:///w/api.yaml', range }],
  });
  const input = [
    denied,
    group({ request: 'GET /v1/items' }),
    group({ destination: 'shop/payments', port: 'TCP/8443' }),
  ];
  const { body, targets } = buildReplayBody(result(input, 5), 'replay:');
  assert.deepEqual(
    body.connections.map((c) => [c.title, c.change, c.requests.map((r) => r.what)]),
    [
      ['shop/frontend → shop/api:TCP/8080', 'newly-denied', ['POST /v1/orders', 'GET /v1/items']],
      ['shop/frontend → shop/payments:TCP/8443', 'none', ['connection']],
    ],
  );
  const rule = body.connections[0]!.requests[0]!.rules[0]!;
  assert.ok(rule.target.startsWith('replay:'));
  assert.deepEqual(targets.get(rule.target), { uri: 'file:///w/api.yaml', range });
  assert.equal(targets.size, input.flatMap((g) => g.decidedBy).length);
  assert.equal(body.headlineKind, 'denied');
  assert.match(body.headline, new RegExp(`^${denied.changed} recorded forwarded flows would now be denied`));
  assert.match(body.connections[0]!.requests[0]!.counts, /3 recorded flows, 2 newly denied/);
  assert.equal(body.connections[0]!.requests[0]!.time, '10:00:01 .. 10:00:11');
  assert.equal(body.connections[0]!.requests[0]!.pods, 'frontend-1 → api-1');
  assert.match(body.log, /^hubble\.jsonl: 9 flows in 8 distinct questions; skipped 4 reply, 1 unparsable$/);
  assert.deepEqual(body.problems, ['line 7: not JSON']);
  assert.equal(body.more, '… and 5 more groups');
  assert.deepEqual(
    body.actions.map((a) => a.id),
    Object.values(REPLAY_ACTIONS).sort(
      (a, b) => ['reload', 'pick', 'close'].indexOf(a) - ['reload', 'pick', 'close'].indexOf(b),
    ),
  );
});

test('nothing newly denied reads as such', () => {
  const { body } = buildReplayBody(result([group({})]), 'r:');
  assert.equal(body.headlineKind, 'ok');
  assert.match(body.headline, /^Every recorded forwarded flow is still allowed\.$/);
  assert.equal(body.more, undefined);
});

test('hostile flow-log strings are bounded and lose their control characters', () => {
  const long = 'x'.repeat(MAX_TEXT * 10);
  const { body } = buildReplayBody(
    result([group({ source: `evil\u0000\u202e${long}`, request: `GET /\u001b[31m${long}`, sourcePods: [long] })]),
    'r:',
  );
  const texts = JSON.stringify(body);
  assert.doesNotMatch(texts, /\\u0000|\\u001b|\u202e/);
  const row = body.connections[0]!;
  assert.ok([...row.title].length <= MAX_TEXT + 1, 'title bounded');
  assert.ok([...row.requests[0]!.what].length <= MAX_TEXT + 1, 'request bounded');
  assert.ok([...row.requests[0]!.pods].length <= 201, 'pods bounded');
});
