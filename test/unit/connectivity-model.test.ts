// SPDX-License-Identifier: Apache-2.0
/**
 * What the Test Explorer, "Check Connectivity…" and the Endpoints view make of the server's
 * verdicts (`client/src/connectivity-model.ts`, `client/src/endpoint-protection.ts`): a failing
 * case's message names the expected and actual verdicts, both directions and links to the
 * deciding rules; a passing one says so; one that could not run is an error with its problem;
 * names from the inputs are quoted, never rendered as links or HTML.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import {
  caseName,
  caseOutcome,
  directionLinks,
  portChoices,
  protectionView,
  verdictMarkdown,
} from '../../client/src/connectivity-model.js';
import type { WireCaseResult, WireDirectionVerdict, WireFlowVerdict } from '../../server/src/protocol.js';

const MarkdownIt = createRequire(__filename)('markdown-it') as new (o: object) => {
  render(s: string): string;
  validateLink: (url: string) => boolean;
};
const md = new MarkdownIt({ html: true, linkify: true });
// Every link is rendered (VS Code renders file: links), so a hostile `command:` link would show.
md.validateLink = () => true;

const range = (line: number) => ({ start: { line, character: 4 }, end: { line: line + 2, character: 0 } });

function direction(over: Partial<WireDirectionVerdict>): WireDirectionVerdict {
  return { verdict: 'allow', state: 'allowed', reason: 'allowed', by: [], defaultDenyBy: [], unknowns: [], ...over };
}

const EVIL = '[x](command:workbench.action.terminal.new)<img src=x onerror=1>';

const verdict: WireFlowVerdict = {
  verdict: 'deny',
  reason: `shop/frontend cannot reach shop/orders-db ${EVIL}`,
  source: 'shop/frontend',
  destination: 'shop/orders-db',
  port: 'TCP/5432',
  egress: direction({
    by: [
      {
        kind: 'CiliumNetworkPolicy',
        namespace: 'shop',
        name: 'frontend',
        file: 'policies/frontend.yaml',
        line: 20,
        direction: 'egress',
        rule: 0,
        spec: null,
        location: { uri: 'file:///w/policies/frontend.yaml', range: range(19) },
      },
    ],
  }),
  ingress: direction({
    verdict: 'deny',
    state: 'default-deny',
    reason: 'no rule allows it',
    defaultDenyBy: [
      {
        kind: 'CiliumNetworkPolicy',
        namespace: 'shop',
        name: EVIL,
        file: 'policies/orders-db.yaml',
        line: 10,
        location: { uri: 'file:///w/policies/orders-db.yaml', range: range(9) },
      },
    ],
  }),
  unknowns: [],
};

const result = (over: Partial<WireCaseResult>): WireCaseResult => ({
  name: 'c',
  index: 0,
  line: 12,
  range: range(11),
  expect: 'allow',
  outcome: 'deny',
  pass: false,
  verdict,
  problems: [],
  ...over,
});

test('a failing case: expected and actual, both directions, the deciding rules as links and as jumps', () => {
  const o = caseOutcome(result({}));
  assert.equal(o.state, 'failed');
  assert.equal(o.expected, 'allow');
  assert.equal(o.actual, 'deny');
  assert.match(o.message, /^\*\*Expected allow, got deny\.\*\*/);
  const html = md.render(o.message);
  assert.match(html, /Egress of shop\/frontend: allow/);
  assert.match(html, /Ingress of shop\/orders-db: deny/);
  // The rule links go to the rule's line; the hostile policy name is text, not a link or an image.
  assert.match(html, /<a href="file:\/\/\/w\/policies\/frontend\.yaml#L20">/);
  assert.match(html, /<a href="file:\/\/\/w\/policies\/orders-db\.yaml#L10">/);
  assert.doesNotMatch(html, /href="command:|<img/);
  assert.deepEqual(
    o.rules.map((r) => [r.label.split(':')[0], r.location.range.start.line + 1]),
    [
      ['egress', 20],
      ['ingress', 10],
    ],
  );
  assert.match(o.rules[0]!.label, /CiliumNetworkPolicy shop\/frontend egress\[0\] \(policies\/frontend\.yaml:20\)/);
});

test('a passing case, an unknown one and one that could not run', () => {
  const pass = caseOutcome(result({ expect: 'deny', pass: true }));
  assert.equal(pass.state, 'passed');
  assert.match(pass.message, /^\*\*deny\*\*, as expected/);
  const unknown = caseOutcome(
    result({
      outcome: 'unknown',
      verdict: { ...verdict, verdict: 'unknown', unknowns: [{ code: 'fqdn-without-address', message: 'no address' }] },
    }),
  );
  assert.equal(unknown.state, 'failed');
  assert.match(unknown.message, /an unknown never passes/);
  const broken = caseOutcome(
    result({
      verdict: null,
      outcome: 'unknown',
      problems: [
        {
          code: 'policy-test/endpoint-not-found',
          message: `workload ${EVIL} is not in the inventory`,
          line: 14,
          range: range(13),
        },
      ],
    }),
  );
  assert.equal(broken.state, 'errored');
  assert.equal(broken.problems.length, 1);
  assert.doesNotMatch(md.render(broken.message), /href="command:|<img/);
});

test('the verdict Markdown and the links of one direction', () => {
  assert.match(verdictMarkdown(verdict), /default-deny because of \[/);
  assert.deepEqual(directionLinks('egress', direction({})), []);
});

test('a checked flow names itself as a case, and its ports are offered names first', () => {
  assert.equal(
    caseName({ from: { workload: 'shop/frontend' }, to: { workload: 'shop/api' }, port: 8080 }, 'allow'),
    'frontend reaches api on 8080',
  );
  assert.equal(
    caseName({ from: { entity: 'world' }, to: { workload: 'StatefulSet/shop/db' }, port: 53, protocol: 'UDP' }, 'deny'),
    'entity world does not reach shop/db on UDP/53',
  );
  assert.deepEqual(
    portChoices([
      { port: 8080, protocol: 'TCP', name: 'http' },
      { port: 53, protocol: 'UDP' },
    ]).map((p) => [p.label, p.port, p.protocol]),
    [
      ['8080/TCP', 'http', 'TCP'],
      ['53/UDP', 53, 'UDP'],
    ],
  );
});

test('the Endpoints view marks a workload no policy protects, and says why each direction is what it is', () => {
  const base = {
    kind: 'Deployment',
    namespace: 'shop',
    name: 'api',
    policies: [],
    ingressReason: 'selected by CiliumNetworkPolicy shop/api (policies/api.yaml:10)',
    egressReason: 'no policy selects it for egress',
  };
  const guarded = protectionView({ ...base, ingress: 'default-deny', egress: 'allow-all', unprotected: false });
  assert.equal(guarded.unprotected, false);
  assert.equal(guarded.description, 'ingress default-deny');
  assert.ok(guarded.tooltip.some((l) => l.includes('ingress: default-deny (selected by CiliumNetworkPolicy shop/api')));
  const open = protectionView({ ...base, ingress: 'allow-all', egress: 'allow-all', unprotected: true });
  assert.equal(open.description, 'unprotected');
  assert.ok(open.tooltip.some((l) => /No policy/.test(l)));
  const audit = protectionView({ ...base, ingress: 'audit', egress: 'allow-all', unprotected: true });
  assert.equal(audit.description, 'unprotected (audit only)');
  // A hostile reason cannot break the tooltip into forged lines.
  const evil = protectionView({
    ...base,
    ingressReason: 'x\n\u202eforged',
    ingress: 'default-deny',
    egress: 'default-deny',
    unprotected: false,
  });
  assert.ok(evil.tooltip.every((l) => !l.includes('\n') && !l.includes('\u202e')));
});
