// SPDX-License-Identifier: Apache-2.0
/**
 * Garbage parameters, over real JSON-RPC (the exact JSON, no client library in between), on every
 * request the server answers: each is answered with `InvalidParams` (-32602) and a message naming
 * the request and what is wrong, never an internal error, and nothing is logged as a failure.
 *
 * The requests are read from what the server announces, so a new one is covered without editing
 * this test, or fails it until it checks its parameters: the capabilities of `initialize` (each
 * known capability stands for its request; an unknown one fails the test until it is mapped
 * here), the methods it registers dynamically, and every client → server request of
 * `protocol.ts`.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { RequestType, ResponseError } from 'vscode-languageserver-protocol';
import { guard, guardAsync } from '../../server/src/lsp/guard.js';
import * as protocol from '../../server/src/protocol.js';
import { RawRpc } from '../support/raw-rpc.js';
import { testUri } from '../support/lsp-client.js';

/** What each capability of the `initialize` answer stands for: its requests (none for notifications and flags). */
const CAPABILITY_REQUESTS: Readonly<Record<string, readonly string[]>> = {
  textDocumentSync: [],
  completionProvider: ['textDocument/completion'],
  hoverProvider: ['textDocument/hover'],
  codeActionProvider: ['textDocument/codeAction'],
  codeLensProvider: ['textDocument/codeLens'],
  documentSymbolProvider: ['textDocument/documentSymbol'],
  // Flags for the clients; the requests behind them are `ciliumPolicy/*` ones of protocol.ts.
  experimental: [],
};

/** Dynamic registrations that are notifications (no request to answer). */
const REGISTERED_NOTIFICATIONS = new Set(['workspace/didChangeWatchedFiles', 'workspace/didChangeConfiguration']);

/**
 * Requests without parameters: `null`, `{}` and `[]` are answered as usual. (They are declared
 * with a parameter object, so leaving `params` out is refused by the JSON-RPC library itself, with
 * InvalidParams too.)
 */
const NO_PARAMS = new Set<string>([
  protocol.InventoryRequest.method,
  protocol.PolicyTemplatesRequest.method,
  protocol.ConnectivityEndpointsRequest.method,
  protocol.CoverageRequest.method,
  protocol.FlowWorkloadsRequest.method,
]);

/**
 * Requests whose every parameter is optional: these values of {@link GARBAGE} are valid for them
 * (an empty object, no positional parameters at all, or fields they do not read), and answered as
 * usual.
 */
const ALL_OPTIONAL: Readonly<Record<string, readonly unknown[]>> = {
  [protocol.PolicyTestsRequest.method]: [{}, []],
  [protocol.ReplayRequest.method]: [{}, [], { textDocument: 42 }, { textDocument: { uri: 42 } }],
  [protocol.ClearLintFilesRequest.method]: [{}, [], { textDocument: 42 }, { textDocument: { uri: 42 } }],
  [protocol.GitRevisionsRequest.method]: [{}, [], { textDocument: 42 }, { textDocument: { uri: 42 } }],
};

const URI = testUri('invalid-params.yaml');
const RANGE = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };

/** Values that are wrong for any request that takes parameters. */
const GARBAGE: readonly unknown[] = [
  null,
  42,
  'text',
  true,
  [],
  {},
  { textDocument: 42 },
  { textDocument: { uri: 42 } },
];

/** Values that are wrong for a request that takes none (JSON-RPC params are structured). */
const NOT_STRUCTURED: readonly unknown[] = [42, 'text', true];

/** Near misses for particular requests: right in most fields, wrong in one. */
const NEAR_MISSES: Readonly<Record<string, readonly unknown[]>> = {
  'textDocument/completion': [
    { textDocument: { uri: URI }, position: 'top' },
    { textDocument: { uri: URI }, position: { line: -1, character: 0 } },
    { textDocument: { uri: URI }, position: { line: 0.5, character: 0 } },
  ],
  'textDocument/hover': [
    { textDocument: { uri: URI } },
    { textDocument: { uri: URI }, position: { line: 0, character: '1' } },
  ],
  'textDocument/codeAction': [
    { textDocument: { uri: URI }, range: RANGE },
    { textDocument: { uri: URI }, range: RANGE, context: {} },
    { textDocument: { uri: URI }, range: RANGE, context: { diagnostics: [42] } },
    { textDocument: { uri: URI }, range: { start: 0 }, context: { diagnostics: [] } },
  ],
  [protocol.SetInventoryRequest.method]: [{ source: 'usb' }, { source: 'snapshot' }, { source: 'cluster', json: 5 }],
  [protocol.BuildPolicyRequest.method]: [
    { template: 7 },
    { template: 'cnp', workload: { kind: 'Pod', name: 'a', namespace: 'b', labels: { app: 5 } } },
  ],
  [protocol.EndpointPreviewRequest.method]: [{ textDocument: { uri: URI }, position: { line: 'a' } }],
  [protocol.EndpointPoliciesRequest.method]: [{ endpoint: { kind: 'Pod' } }, { endpoint: 'web' }],
  [protocol.ManifestWorkloadsRequest.method]: [{ uri: URI }, { uri: URI, text: ['a'] }],
  [protocol.ReplayRequest.method]: [{ limit: 'all' }, { limit: -1 }],
  [protocol.AdmitFlowsRequest.method]: [{ group: '1' }],
  [protocol.LoadFlowsRequest.method]: [{ path: 7 }],
  [protocol.LintFilesRequest.method]: [{ uris: 'file:///a.yaml' }, { uris: [7] }],
  [protocol.ClearLintFilesRequest.method]: [{ uris: 'file:///a.yaml' }, { uris: [7] }],
  [protocol.DryRunRequest.method]: [{ textDocument: { uri: URI } }, { textDocument: { uri: URI }, events: 3 }],
  [protocol.KernelTargetsRequest.method]: [{ textDocument: { uri: URI }, position: { line: -1, character: 0 } }],
  [protocol.PolicyTestsRequest.method]: [{ textDocument: { uri: 5 } }],
  [protocol.GitRevisionsRequest.method]: [{ folder: 7 }],
  [protocol.CompareConnectivityRequest.method]: [
    { revision: 5 },
    { revision: 'HEAD', limit: -1 },
    { revision: 'HEAD', folder: ['a'] },
  ],
  [protocol.GenerateFromFlowsRequest.method]: [
    { namespace: 'shop' },
    { namespace: 'shop', labels: { app: 5 } },
    { namespace: 1, labels: {} },
  ],
};

/** Every client → server request protocol.ts declares. */
function protocolRequests(): string[] {
  const out: string[] = [];
  for (const value of Object.values(protocol) as unknown[]) {
    const ns = value as { method?: unknown; messageDirection?: unknown; type?: unknown } | null;
    if (ns === null || typeof ns !== 'object' || typeof ns.method !== 'string') continue;
    if (ns.messageDirection === 'clientToServer' && ns.type instanceof RequestType) out.push(ns.method);
  }
  return out;
}

describe('garbage parameters on every request', () => {
  let rpc: RawRpc;
  let requests: string[];
  before(async () => {
    const started = await RawRpc.start();
    rpc = started.rpc;
    const fromCapabilities: string[] = [];
    for (const key of Object.keys(started.capabilities)) {
      const methods = CAPABILITY_REQUESTS[key];
      assert.ok(methods, `capability ${key} is announced: map it to its requests in this test`);
      fromCapabilities.push(...methods);
    }
    // The dynamic registrations are sent after `initialized`; a document open waits for them.
    rpc.notify('textDocument/didOpen', {
      textDocument: {
        uri: URI,
        languageId: 'yaml',
        version: 1,
        text: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n',
      },
    });
    await rpc.request('textDocument/documentSymbol', { textDocument: { uri: URI } });
    const registered = rpc.registrations.filter((m) => !REGISTERED_NOTIFICATIONS.has(m));
    requests = [...new Set([...fromCapabilities, ...registered, ...protocolRequests()])].sort();
  });
  after(async () => {
    await rpc?.stop();
  });

  it('covers the requests the server announces', () => {
    for (const method of [
      'textDocument/completion',
      'textDocument/hover',
      'textDocument/codeAction',
      'textDocument/codeLens',
      'textDocument/documentSymbol',
      'ciliumPolicy/endpointPreview',
      'ciliumPolicy/setInventory',
    ])
      assert.ok(requests.includes(method), `${method} is among ${requests.join(', ')}`);
  });

  it('answers each with InvalidParams and a message, and keeps running', async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const method of requests) {
      const valid = new Set((ALL_OPTIONAL[method] ?? []).map((v) => JSON.stringify(v)));
      const wrong = NO_PARAMS.has(method)
        ? NOT_STRUCTURED
        : [...GARBAGE.filter((v) => !valid.has(JSON.stringify(v))), ...(NEAR_MISSES[method] ?? [])];
      for (const params of wrong) {
        const r = await rpc.request(method, params);
        checked++;
        const shown = `${method} with ${JSON.stringify(params)}`;
        if (r.error?.code !== -32602) {
          problems.push(
            `${shown}: ${r.error ? `error ${r.error.code} ${r.error.message}` : `answered ${JSON.stringify(r.result)}`}`,
          );
          continue;
        }
        if (!r.error.message.includes(method))
          problems.push(`${shown}: the message does not name the request: ${r.error.message}`);
        if (/\n\s+at /.test(r.error.message)) problems.push(`${shown}: a stack trace in the message`);
      }
      for (const params of ALL_OPTIONAL[method] ?? []) {
        const r = await rpc.request(method, params);
        if (r.error) problems.push(`${method} with ${JSON.stringify(params)}: ${r.error.message}`);
      }
      if (NO_PARAMS.has(method)) {
        for (const params of [null, {}, []]) {
          const r = await rpc.request(method, params);
          if (r.error) problems.push(`${method} with ${JSON.stringify(params)}: ${r.error.message}`);
        }
      }
    }
    assert.deepEqual(problems, [], problems.join('\n'));
    assert.ok(checked > requests.length * 3, `only ${checked} requests sent`);
    assert.ok(rpc.alive, 'the server exited');
    const log = `${rpc.stderr}\n${rpc.logs.join('\n')}`;
    assert.doesNotMatch(log, /failed/, 'a handler failed (see the server log)');
    assert.doesNotMatch(log, /\n\s+at /, 'a stack trace in the log');
    // And a request with the right parameters is answered as usual.
    const hover = await rpc.request('textDocument/hover', {
      textDocument: { uri: URI },
      position: { line: 1, character: 2 },
    });
    assert.equal(hover.error, undefined, JSON.stringify(hover.error));
  });
});

describe('handlers registered without a shape', () => {
  const read = (p: { textDocument: { uri: string } }) => p.textDocument.uri;
  it('answer InvalidParams when parameters that are not an object trip them, and log nothing', async () => {
    const logged: string[] = [];
    for (const wrap of [
      guard,
      (m: string, h: typeof read, l: (s: string) => void) =>
        guardAsync(m, (p: Parameters<typeof read>[0]) => Promise.resolve().then(() => h(p)), l),
    ])
      for (const garbage of [null, 42, 'text', [1]]) {
        const r = await wrap('ciliumPolicy/example', read, (m) => logged.push(m))(garbage as never);
        assert.ok(r instanceof ResponseError, `${JSON.stringify(garbage)}: ${String(r)}`);
        assert.equal(r.code, -32602);
        assert.match(r.message, /ciliumPolicy\/example: params must be an object/);
      }
    assert.deepEqual(logged, []);
  });
  it('still report and log a failure with parameters that are an object', () => {
    const logged: string[] = [];
    const r = guard('ciliumPolicy/example', read, (m) => logged.push(m))({} as never);
    assert.ok(r instanceof ResponseError);
    assert.equal(r.code, -32603);
    assert.equal(logged.length, 1);
  });
});
