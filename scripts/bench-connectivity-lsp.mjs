// SPDX-License-Identifier: Apache-2.0
// Connectivity through the language server (not a test): `npm run bench:connectivity`.
// Writes the synthetic cluster of `bench-semantics-data.mjs` (200 workloads, 500 policies in 50
// files) as a workspace, starts the bundled server (dist/server.js) over stdio, waits until the
// workspace is indexed, opens one policy file, and measures what the editor asks for:
//   - the preview panel's matrix of a policy (`ciliumPolicy/connectivityMatrix`): the first
//     request (the server builds its engine for the inventory and agent), again (nothing changed),
//     and after an edit of the open file (didChange that moves a port of one of its policies,
//     then the matrix: the engine takes the one file and brings the matrix up to date);
//   - one flow with its explanation (`ciliumPolicy/checkFlow`, what a click on a cell and Check
//     Connectivity ask);
//   - coverage of every workload (`ciliumPolicy/coverage`, the Endpoints view's marks).
// Every figure is the round trip a client sees (JSON-RPC included), median and p95.
// Options: `--samples N` (default 15), `--json`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { WORKLOADS, POLICIES, FILES, inventoryText, policyFiles } from './bench-semantics-data.mjs';

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { LspClient } = require(path.join(root, 'out', 'test', 'support', 'lsp-client.js'));

const args = process.argv.slice(2);
const SAMPLES = Number(args[args.indexOf('--samples') + 1] ?? 15) || 15;
const AS_JSON = args.includes('--json');

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const round = (x) => Math.round(x * 10) / 10;
const stats = (xs) => ({ median: round(quantile(xs, 0.5)), p95: round(quantile(xs, 0.95)), n: xs.length });

async function timed(fn) {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-bench-connectivity-'));
  let client;
  try {
    fs.writeFileSync(path.join(dir, 'inventory.yaml'), inventoryText());
    const files = policyFiles();
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(dir, f.name)), { recursive: true });
      fs.writeFileSync(path.join(dir, f.name), f.text);
    }
    client = await LspClient.start({
      workspaceFolder: pathToFileURL(dir).href,
      settings: { agent: { policyCIDRMatchMode: [] } },
      initializationOptions: { workspaceTrusted: true },
    });
    const file = files[0];
    const uri = pathToFileURL(path.join(dir, file.name)).href;
    await client.open(uri, file.text);
    const matrix = () => client.request('ciliumPolicy/connectivityMatrix', { textDocument: { uri } });
    // Indexed once the matrix is computed against every policy file of the workspace (the index
    // streams: the inventory is complete before the last policy files are read).
    const indexed = await timed(async () => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const m = await matrix();
        if (m?.context.policies.includes(`(${FILES} files)`)) return m;
        if (Date.now() > deadline) throw new Error(`the workspace was not indexed: ${JSON.stringify(m?.context)}`);
        await new Promise((res) => setTimeout(res, 50));
      }
    });
    // The first matrix for an agent profile builds an engine and compiles every policy into it:
    // a changed setting gives a new profile (the cold figure).
    await client.setSettings({ agent: { policyCIDRMatchMode: [], enableL7Proxy: false } });
    const first = await timed(async () => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const m = await matrix();
        if (m?.context.agent.includes('enableL7Proxy')) return m;
        if (Date.now() > deadline) throw new Error(`the setting was not taken: ${JSON.stringify(m?.context)}`);
      }
    });
    if (!first.value || first.value.cells.length === 0) throw new Error('the first policy has no matrix');
    const shape = {
      policy: `${first.value.policy.kind} ${first.value.policy.namespace ?? ''}/${first.value.policy.name}`,
      endpoints: first.value.endpoints.length,
      cells: first.value.cells.length,
    };
    const again = [];
    for (let i = 0; i < SAMPLES; i++) again.push((await timed(matrix)).ms);

    // Edits: every other sample points the policy the matrix is about (p0 of ns-16, which selects
    // none of its namespace's workloads in the generated cluster, where everything is allowed many
    // times over) at the `app-16` workloads there with a deny from the web tier, and back, so each
    // request follows a real change of the open document and the answer changes.
    const subject = 'endpointSelector: {matchLabels: {app: app-0}}';
    if (!file.text.includes(subject)) throw new Error(`the open file has no ${subject}`);
    const edited = file.text.replace(
      subject,
      'endpointSelector: {matchLabels: {app: app-16}}\n  ingressDeny: [{fromEndpoints: [{matchLabels: {tier: web}}]}]',
    );
    const afterEdit = [];
    let changed = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const text = i % 2 === 0 ? edited : file.text;
      const t = performance.now();
      await client.change(uri, text);
      const m = await matrix();
      afterEdit.push(performance.now() - t);
      if (JSON.stringify(m.cells) !== JSON.stringify(first.value.cells)) changed++;
      if (!m.context.policies.includes(`(${FILES} files)`)) throw new Error(`fed ${m.context.policies}`);
    }

    // Every edit changes the answer and every way back restores it: a stale matrix fails the run.
    if (changed !== Math.ceil(SAMPLES / 2))
      throw new Error(`${changed} of ${SAMPLES} matrices after an edit differed from the first one`);

    // One flow with its sentence, between endpoints of the matrix.
    const ends = first.value.endpoints;
    const flows = first.value.cells.slice(0, SAMPLES).map((c) => ({
      from: { workload: ends[c.from].ref },
      to: { workload: ends[c.to].ref },
      port: c.port,
      ...(c.protocol !== 'TCP' ? { protocol: c.protocol } : {}),
    }));
    const check = [];
    for (const flow of flows) {
      const r = await timed(() => client.request('ciliumPolicy/checkFlow', { flow }));
      if (!r.value?.verdict)
        throw new Error(`checkFlow gave no verdict for ${JSON.stringify(flow)}: ${JSON.stringify(r.value)}`);
      check.push(r.ms);
    }
    const coverage = [];
    let covered = 0;
    for (let i = 0; i < Math.min(SAMPLES, 7); i++) {
      const r = await timed(() => client.request('ciliumPolicy/coverage', {}));
      covered = r.value.workloads.length;
      coverage.push(r.ms);
    }

    const figures = {
      workspace: `${WORKLOADS} workloads, ${POLICIES} policies in ${FILES} files`,
      indexedMs: round(indexed.ms),
      matrix: shape,
      firstMatrixMs: round(first.ms),
      matrixAgain: stats(again),
      matrixAfterEdit: { ...stats(afterEdit), changedAnswers: changed },
      checkFlow: stats(check),
      coverage: { ...stats(coverage), workloads: covered },
      node: process.version,
    };
    if (AS_JSON) console.log(JSON.stringify(figures, null, 2));
    else {
      console.log(
        `${figures.workspace}; matrix of ${shape.policy}: ${shape.endpoints} endpoints, ${shape.cells} cells; Node ${process.version}`,
      );
      console.log('| request | median (ms) | p95 (ms) |');
      console.log('|---|---:|---:|');
      console.log(`| workspace indexed (start to a matrix against all ${FILES} files) | ${figures.indexedMs} | |`);
      console.log(
        `| connectivityMatrix, first for an agent profile (engine built, ${POLICIES} policies compiled) | ${figures.firstMatrixMs} | |`,
      );
      console.log(`| connectivityMatrix again | ${figures.matrixAgain.median} | ${figures.matrixAgain.p95} |`);
      console.log(
        `| didChange (a deny rule in the policy, and back) + connectivityMatrix; ${changed} of ${SAMPLES} answers changed | ${figures.matrixAfterEdit.median} | ${figures.matrixAfterEdit.p95} |`,
      );
      console.log(
        `| checkFlow (one verdict with its sentence) | ${figures.checkFlow.median} | ${figures.checkFlow.p95} |`,
      );
      console.log(`| coverage (${covered} workloads) | ${figures.coverage.median} | ${figures.coverage.p95} |`);
    }
  } finally {
    await client?.stop().catch(() => client?.kill());
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
