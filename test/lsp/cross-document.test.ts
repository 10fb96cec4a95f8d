// SPDX-License-Identifier: Apache-2.0
/**
 * Cross-document rules in the editor see the workspace: a DNS rule in a workspace file (on disk,
 * never opened) or in another open document covers an FQDN rule, as it will in the cluster.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver';
import { LspClient } from '../support/lsp-client.js';

const FQDN_RULE = 'cilium/fqdn-without-dns-rule';

const FQDN = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: api
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: web
  egress:
    - toFQDNs:
        - matchName: api.example.com
`;

const DNS = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: dns-for-all
spec:
  endpointSelector: {}
  egress:
    - toEndpoints:
        - matchLabels:
            k8s:io.kubernetes.pod.namespace: kube-system
            k8s:k8s-app: kube-dns
      toPorts:
        - ports:
            - port: "53"
              protocol: ANY
          rules:
            dns:
              - matchPattern: "*"
`;

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-scope-'));
});
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const fqdnFindings = (d: Diagnostic[]) => d.filter((x) => x.code === FQDN_RULE);

test('a DNS rule in a workspace file that is not open covers the FQDN rule', async () => {
  const dir = path.join(tmp, 'ws-disk');
  fs.mkdirSync(path.join(dir, 'platform'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'apps'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'platform', 'dns.yaml'), DNS);
  const api = pathToFileURL(path.join(dir, 'apps', 'api.yaml')).href;
  fs.writeFileSync(path.join(dir, 'apps', 'api.yaml'), FQDN);
  const client = await LspClient.start({ workspaceFolder: pathToFileURL(dir).href });
  try {
    await client.open(api, FQDN);
    // Once the workspace is indexed the file is linted again, with the DNS policy in scope.
    const clean = await client.waitForDiagnostics(api, undefined, (d) => fqdnFindings(d).length === 0);
    assert.deepEqual(fqdnFindings(clean.diagnostics), []);
  } finally {
    await client.stop();
  }
});

test('another open document counts, and so does its removal', async () => {
  const client = await LspClient.start();
  try {
    const api = 'untitled:api.yaml';
    const dns = 'untitled:dns.yaml';
    await client.open(api, FQDN);
    const first = await client.waitForDiagnostics(api);
    assert.equal(fqdnFindings(first.diagnostics).length, 1, 'alone, the FQDN rule has no DNS rule');
    await client.open(dns, DNS);
    await client.nextDiagnostics(api, (d) => fqdnFindings(d).length === 0, 'the DNS document covers it');
    // The DNS rule edited away: the other document is linted again and reported.
    await client.change(dns, DNS.replace(/ {10}rules:[\s\S]*$/, ''));
    await client.nextDiagnostics(api, (d) => fqdnFindings(d).length === 1, 'no DNS rule any more');
  } finally {
    await client.stop();
  }
});
