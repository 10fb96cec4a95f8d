// SPDX-License-Identifier: Apache-2.0
/**
 * The replay against the engine's oracle: every fixture flow (facts from Cilium's unit tests) whose
 * two ends a Hubble record can carry (pods, reserved identities, world addresses) is written as the
 * flow record Hubble would print, with the identity labels the agent gives those ends, and replayed;
 * the verdict must be the one upstream expects. Ends a record cannot carry as such (services, named
 * host endpoints, ad-hoc unknowns) are left out and counted.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { FlowEnd } from '../../server/src/semantics/endpoints.js';
import { FlowReplay } from '../../server/src/semantics/replay/replay.js';
import { NO_SHARED } from '../support/paths.js';
import { hubbleRecord, type EndSpec, type FlowSpec } from '../support/hubble.js';
import { fixtureEngine, flowText, loadFixtureFiles, needsMissingShared, type FixtureFlow } from './fixture-runner.js';

function ipText(end: FlowEnd): string | undefined {
  if (!('address' in end) || !end.address) return undefined;
  if (end.role === 'world' && end.addressText !== undefined) return end.addressText;
  return undefined;
}

/** The record's end for a resolved end; undefined when a record cannot carry it as such. */
function recordEnd(end: FlowEnd): EndSpec | undefined {
  switch (end.role) {
    case 'pod':
      return {
        labels: [...end.labels.entries()].map(([k, v]) => (v === '' ? k : `${k}=${v}`)),
        namespace: end.namespace,
        pod: end.endpoint?.name ?? 'pod',
        ...(end.endpoint ? { workload: { kind: end.endpoint.kind, name: end.endpoint.name } } : {}),
      };
    case 'reserved':
      return { labels: [`reserved:${end.entity}`] };
    case 'world': {
      const ip = ipText(end);
      return { labels: ['reserved:world'], identity: 2, ...(ip !== undefined ? { ip } : {}) };
    }
    default:
      return undefined;
  }
}

const files = loadFixtureFiles();
let replayed = 0;
let leftOut = 0;

for (const file of files) {
  for (const fx of file.fixtures) {
    const skip = needsMissingShared(fx) ? NO_SHARED : false;
    test(`replay of ${file.upstream} ${fx.test}`, { skip }, () => {
      const engine = fixtureEngine(file, fx);
      const replay = new FlowReplay({ head: engine });
      for (const flow of fx.flows as readonly FixtureFlow[]) {
        const src = engine.resolve(flow.from, true);
        const dst = engine.resolve(flow.to, false);
        const from = src.ok ? recordEnd(src.end) : undefined;
        const to = dst.ok ? recordEnd(dst.end) : undefined;
        const protocol = flow.protocol ?? 'TCP';
        let port = flow.port;
        if (typeof port === 'string' && dst.ok && dst.end.role === 'pod')
          port = dst.end.ports?.find((p) => p.name === port && p.protocol === protocol)?.containerPort ?? port;
        if (!from || !to || typeof port === 'string' || (flow.expect === 'unknown' && flow.code === undefined)) {
          leftOut++;
          continue;
        }
        const names = 'fqdn' in flow.to ? [flow.to.fqdn] : undefined;
        const spec: FlowSpec = {
          from,
          to,
          protocol: protocol === 'ICMP' ? 'ICMPv4' : protocol,
          ...(port !== undefined ? { port } : {}),
          ...(typeof flow.icmpType === 'number' ? { icmpType: flow.icmpType } : {}),
          ...(names ? { names } : {}),
          ...(flow.http
            ? {
                http: {
                  method: flow.http.method ?? 'GET',
                  url: `http://${flow.http.host ?? 'server'}${flow.http.path ?? '/'}`,
                  ...(flow.http.headers ? { headers: { ...flow.http.headers } } : {}),
                },
              }
            : {}),
          ...(flow.dns !== undefined ? { dns: flow.dns } : {}),
        };
        if (typeof flow.icmpType === 'string' || (flow.http?.host !== undefined && flow.http.host.includes('/'))) {
          leftOut++;
          continue;
        }
        const r = replay.add(hubbleRecord(spec), 1);
        assert.ok(r, `${flowText(flow)}: read as a flow`);
        replayed++;
        assert.equal(
          r.group.head.verdict,
          flow.expect,
          `${flowText(flow)}\n  replayed as ${JSON.stringify(spec)}\n  got ${r.group.head.verdict}: ${r.group.head.reason}`,
        );
        if (flow.code !== undefined)
          assert.ok(
            r.group.head.result?.unknowns.some((u) => u.code === flow.code),
            `${flowText(flow)}: ${flow.code}`,
          );
      }
    });
  }
}

test('most fixture flows are replayed as Hubble records', () => {
  // Runs after the fixture tests above (node:test runs a file's tests in order).
  assert.ok(replayed >= 250, `${replayed} flows replayed, ${leftOut} left out`);
  assert.ok(replayed > leftOut * 2, `${replayed} flows replayed, ${leftOut} left out`);
});
