// SPDX-License-Identifier: Apache-2.0
/**
 * The kubectl invocation of the live-cluster inventory (`client/src/kubectl.ts`): only `get` and
 * `config` argument lists can be built, hostile context names are refused, the path is only used
 * in a trusted workspace, and failures become messages the user can act on. The process runs are
 * checked against small stand-in programs, never a real cluster.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inventoryFromKubectlJson } from '../../server/src/core/inventory.js';
import {
  ALLOWED_VERBS,
  combineInventoryJson,
  describeKubectlError,
  isSafeContextName,
  kubectlArgs,
  kubectlCommand,
  orderContexts,
  runKubectl,
  timeoutMs,
  type KubectlRequest,
} from '../../client/src/kubectl.js';
import { REPO_ROOT } from '../support/paths.js';

/** The verb of an argument list: the first argument that is not a flag. */
function verb(args: string[]): string | undefined {
  return args.find((a) => !a.startsWith('-'));
}

test('argument lists: only get and config, the context as one --context= argument', () => {
  assert.deepEqual(kubectlArgs({ op: 'contexts' }), ['config', 'get-contexts', '-o', 'name']);
  assert.deepEqual(kubectlArgs({ op: 'currentContext' }), ['config', 'current-context']);
  assert.deepEqual(kubectlArgs({ op: 'workloads', context: 'kind-dev' }), [
    '--context=kind-dev',
    'get',
    'pods,namespaces,services',
    '--all-namespaces',
    '--output=json',
  ]);
  assert.deepEqual(kubectlArgs({ op: 'ciliumEndpoints', context: 'kind-dev' }), [
    '--context=kind-dev',
    'get',
    'ciliumendpoints',
    '--all-namespaces',
    '--output=json',
  ]);
  const names = [
    'prod',
    'a b; rm -rf /',
    '$(reboot)',
    'x`id`',
    'arn:aws:eks:eu-west-1:123:cluster/prod',
    'ctx --kubeconfig=/tmp/evil',
  ];
  const requests: KubectlRequest[] = [
    { op: 'contexts' },
    { op: 'currentContext' },
    ...names.flatMap((context) => [
      { op: 'workloads' as const, context },
      { op: 'ciliumEndpoints' as const, context },
    ]),
  ];
  for (const r of requests) {
    const args = kubectlArgs(r);
    assert.ok(ALLOWED_VERBS.includes(verb(args) ?? ''), `${JSON.stringify(r)} → ${args.join(' ')}`);
    for (const forbidden of [
      'delete',
      'apply',
      'create',
      'edit',
      'exec',
      'patch',
      'replace',
      'scale',
      'drain',
      'cordon',
      'label',
      'annotate',
      'set',
      'use-context',
      'set-context',
    ]) {
      assert.ok(!args.includes(forbidden), `${forbidden} never appears`);
    }
    // The context never becomes an argument of its own (where a leading "-" would make it a flag).
    if ('context' in r) assert.equal(args.filter((a) => a.includes(r.context)).length, 1);
  }
});

test('context names that could be read as flags or hide characters are refused', () => {
  for (const bad of ['', '-n', '--kubeconfig=/tmp/x', 'a\nb', 'x\u0000', 'z'.repeat(300)]) {
    assert.equal(isSafeContextName(bad), false, JSON.stringify(bad));
    assert.throws(() => kubectlArgs({ op: 'workloads', context: bad }), /Refusing/);
  }
  assert.equal(isSafeContextName('gke_project_europe-west1_prod'), true);
});

test('kubectl path: only in a trusted workspace; empty means kubectl from the PATH', () => {
  assert.equal(kubectlCommand('/opt/bin/kubectl', false), undefined);
  assert.equal(kubectlCommand('', false), undefined);
  assert.equal(kubectlCommand(undefined, true), 'kubectl');
  assert.equal(kubectlCommand('  ', true), 'kubectl');
  assert.equal(kubectlCommand(' /opt/bin/kubectl ', true), '/opt/bin/kubectl');
  assert.equal(kubectlCommand(42, true), 'kubectl');
});

test('timeout setting: seconds, clamped to 1–600, default 30', () => {
  assert.equal(timeoutMs(undefined), 30_000);
  assert.equal(timeoutMs(5), 5_000);
  assert.equal(timeoutMs(0), 1_000);
  assert.equal(timeoutMs(1e9), 600_000);
  assert.equal(timeoutMs('10'), 30_000);
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { default: unknown }> } };
  };
  assert.equal(
    timeoutMs(pkg.contributes.configuration.properties['ciliumPolicy.kubectl.timeout']?.default),
    30_000,
    'the manifest default agrees',
  );
});

test('contexts: current first, duplicates and unsafe names dropped', () => {
  assert.deepEqual(orderContexts('a\nprod\n\nb\r\n-x\nprod\n', 'prod\n'), ['prod', 'a', 'b']);
  assert.deepEqual(orderContexts('a\nb\n', 'gone'), ['a', 'b']);
  assert.deepEqual(orderContexts('', undefined), []);
});

test('errors: missing kubectl, timeout, forbidden, other', () => {
  assert.deepEqual(describeKubectlError({ code: 'ENOENT' }, '', 'kubectl', 30), {
    reason: 'notFound',
    message: 'kubectl not found (tried "kubectl"); set ciliumPolicy.kubectlPath.',
  });
  assert.equal(describeKubectlError({ killed: true, signal: 'SIGTERM' }, '', 'kubectl', 7).reason, 'timeout');
  assert.match(describeKubectlError({ killed: true }, '', 'kubectl', 7).message, /within 7 s/);
  const forbidden = describeKubectlError(
    { code: 1 },
    '\nError from server (Forbidden): pods is forbidden: User "dev" cannot list resource "pods"\nmore\n',
    'kubectl',
    30,
  );
  assert.equal(forbidden.reason, 'forbidden');
  assert.match(forbidden.message, /^kubectl was refused access: Error from server \(Forbidden\): pods is forbidden/);
  assert.equal(
    describeKubectlError({ code: 1 }, 'error: You must be logged in to the server (Unauthorized)', 'kubectl', 30)
      .reason,
    'forbidden',
  );
  const other = describeKubectlError(
    { code: 1, message: 'Command failed' },
    'Unable to connect to the server: dial tcp: lookup nowhere',
    'kubectl',
    30,
  );
  assert.deepEqual(other, {
    reason: 'failed',
    message: 'kubectl failed: Unable to connect to the server: dial tcp: lookup nowhere',
  });
  assert.ok(describeKubectlError({ code: 1 }, 'e'.repeat(5000), 'kubectl', 30).message.length < 400);
});

const POD_LIST = JSON.stringify({
  apiVersion: 'v1',
  kind: 'List',
  items: [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'shop', labels: { app: 'web' } }, spec: {} },
  ],
});
const CEP_LIST = JSON.stringify({
  apiVersion: 'v1',
  kind: 'List',
  items: [
    {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumEndpoint',
      metadata: { name: 'web-1', namespace: 'shop' },
      status: { identity: { labels: ['k8s:app=web'] } },
    },
  ],
});

test('combined JSON: the server reads both lists; a failed or non-JSON CiliumEndpoint output is left out', () => {
  const both = combineInventoryJson(POD_LIST, CEP_LIST);
  const r = inventoryFromKubectlJson(both, 'cluster');
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.deepEqual(
    r.inventory.endpoints.map((e) => e.name),
    ['web-1'],
  );
  assert.equal(combineInventoryJson(POD_LIST, undefined), POD_LIST);
  assert.equal(
    combineInventoryJson(POD_LIST, 'error: the server doesn\'t have a resource type "ciliumendpoints"'),
    POD_LIST,
  );
  assert.equal(combineInventoryJson(POD_LIST, '[1,2]'), POD_LIST);
});

/** A stand-in kubectl: a Node script that prints its arguments, or misbehaves on request. */
function fakeKubectl(body: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-kubectl-'));
  const file = path.join(dir, 'kubectl');
  fs.writeFileSync(file, `#!${process.execPath}\n${body}\n`, { mode: 0o755 });
  return file;
}

const posix = process.platform === 'win32' ? 'stand-in scripts need a POSIX shebang' : false;

test('runKubectl: arguments arrive as given, without a shell', { skip: posix }, async () => {
  const cmd = fakeKubectl('process.stdout.write(JSON.stringify(process.argv.slice(2)));');
  const r = await runKubectl(
    { op: 'workloads', context: 'a b;$(touch /tmp/pwned)' },
    { command: cmd, timeoutMs: 10_000 },
  );
  assert.ok(r.ok);
  assert.deepEqual(JSON.parse(r.stdout), [
    '--context=a b;$(touch /tmp/pwned)',
    'get',
    'pods,namespaces,services',
    '--all-namespaces',
    '--output=json',
  ]);
});

test('runKubectl: missing program, timeout and refusal are reported', { skip: posix }, async () => {
  const missing = await runKubectl(
    { op: 'contexts' },
    { command: path.join(os.tmpdir(), 'no-such-kubectl-here'), timeoutMs: 5_000 },
  );
  assert.ok(!missing.ok && missing.failure.reason === 'notFound');
  const slow = await runKubectl(
    { op: 'contexts' },
    { command: fakeKubectl('setTimeout(() => {}, 60000);'), timeoutMs: 300 },
  );
  assert.ok(!slow.ok && slow.failure.reason === 'timeout', JSON.stringify(slow));
  const refused = await runKubectl(
    { op: 'workloads', context: 'x' },
    {
      command: fakeKubectl('process.stderr.write("Error from server (Forbidden): nope\\n"); process.exit(1);'),
      timeoutMs: 5_000,
    },
  );
  assert.ok(!refused.ok && refused.failure.reason === 'forbidden');
  const abort = new AbortController();
  const pending = runKubectl(
    { op: 'contexts' },
    { command: fakeKubectl('setTimeout(() => {}, 60000);'), timeoutMs: 30_000, signal: abort.signal },
  );
  abort.abort();
  const cancelled = await pending;
  assert.ok(!cancelled.ok && cancelled.failure.message === 'Cancelled.');
});

test('the client runs programs only from kubectl.ts, with execFile and no shell', () => {
  const dir = path.join(REPO_ROOT, 'client', 'src');
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const src = fs.readFileSync(path.join(dir, f), 'utf8');
    const usesChild = /child_process/.test(src);
    if (f === 'kubectl.ts') {
      assert.ok(usesChild);
      assert.ok(!/\b(exec|execSync|spawnSync|fork)\s*\(/.test(src.replace(/execFile\s*\(/g, '')), 'only execFile');
      assert.match(src, /shell: false/);
      assert.match(src, /timeout: opts\.timeoutMs/);
    } else {
      assert.ok(!usesChild, `${f} does not start processes`);
    }
  }
});

test('nodes for the Tetragon kernel targets: their own kubectl get, combined when it succeeds', () => {
  assert.deepEqual(kubectlArgs({ op: 'nodes', context: 'kind-dev' }), [
    '--context=kind-dev',
    'get',
    'nodes',
    '--all-namespaces',
    '--output=json',
  ]);
  const nodeList = JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'worker-1' },
        status: { nodeInfo: { kernelVersion: '6.1.0-18-amd64', architecture: 'amd64', osImage: 'Debian 12' } },
      },
    ],
  });
  const r = inventoryFromKubectlJson(combineInventoryJson(POD_LIST, undefined, nodeList), 'cluster');
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.deepEqual(
    r.inventory.nodes.map((n) => [n.name, n.kernelVersion, n.architecture]),
    [['worker-1', '6.1.0-18-amd64', 'amd64']],
  );
  assert.deepEqual(
    r.inventory.endpoints.map((e) => e.name),
    ['web-1'],
  );
  assert.equal(
    combineInventoryJson(POD_LIST, undefined, 'Error from server (Forbidden): nodes is forbidden'),
    POD_LIST,
  );
});
