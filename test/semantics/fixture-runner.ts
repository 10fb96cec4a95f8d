// SPDX-License-Identifier: Apache-2.0
/**
 * Loads the engine's fixtures (`test/fixtures/semantics/*.yaml`): facts transcribed from Cilium's
 * own unit tests and documentation examples, each naming the upstream file and test it came from.
 * A fixture holds policies and an inventory (inline YAML, or files of `../shared` for the
 * documentation examples), an agent profile, and flows with the verdict upstream expects.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { parseFile } from '../../server/src/core/document.js';
import { inventoryFromManifests } from '../../server/src/core/inventory.js';
import { readAgentOptions, resolveAgent } from '../../server/src/semantics/agent.js';
import { VerdictEngine, type Flow, type FlowVerdict } from '../../server/src/semantics/engine.js';
import type { EndpointSpec } from '../../server/src/semantics/endpoints.js';
import { REPO_ROOT, shared } from '../support/paths.js';

export const FIXTURE_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'semantics');

/** One flow of a fixture and the verdict upstream expects. */
export interface FixtureFlow {
  readonly from: EndpointSpec;
  readonly to: EndpointSpec;
  readonly port?: number | string;
  readonly protocol?: Flow['protocol'];
  readonly icmpType?: number | string;
  readonly http?: Flow['http'];
  readonly dns?: string;
  readonly expect: 'allow' | 'deny' | 'unknown';
  /** For `unknown`: a reason code that must be among the reasons. */
  readonly code?: string;
  /** Rules (`policy-name section[i]`) that must be among the deciding rules of either direction. */
  readonly by?: readonly string[];
}

export interface Fixture {
  readonly test: string;
  readonly about: string;
  readonly agent?: Record<string, unknown>;
  readonly inventory?: string;
  readonly sharedInventory?: readonly string[];
  readonly policies?: string;
  readonly sharedPolicies?: readonly string[];
  readonly flows: readonly FixtureFlow[];
}

export interface FixtureFile {
  readonly file: string;
  /** The upstream file the facts come from (cilium/cilium path, or `Documentation/...`). */
  readonly upstream: string;
  readonly inventory?: string;
  readonly fixtures: readonly Fixture[];
}

export function loadFixtureFiles(): FixtureFile[] {
  return fs
    .readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const data = parse(fs.readFileSync(path.join(FIXTURE_DIR, f), 'utf8')) as Omit<FixtureFile, 'file'>;
      return { file: f, ...data };
    });
}

/** The `../shared/upstream/examples/cilium` file, or undefined when `../shared` is absent. */
function sharedExample(rel: string): string | undefined {
  const p = shared('upstream', 'examples', 'cilium', rel);
  return p && fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined;
}

/** True when a fixture reads `../shared` and it is not there. */
export function needsMissingShared(f: Fixture): boolean {
  return [...(f.sharedInventory ?? []), ...(f.sharedPolicies ?? [])].some((r) => sharedExample(r) === undefined);
}

/** The engine of a fixture. */
export function fixtureEngine(file: FixtureFile, f: Fixture): VerdictEngine {
  const inventoryTexts: { uri: string; text: string }[] = [];
  const inv = f.inventory ?? file.inventory;
  if (inv !== undefined) inventoryTexts.push({ uri: 'inventory.yaml', text: inv });
  for (const rel of f.sharedInventory ?? []) inventoryTexts.push({ uri: rel, text: sharedExample(rel) as string });
  const agentRead = readAgentOptions(f.agent ?? {});
  if (agentRead.problems.length > 0)
    throw new Error(`${f.test}: ${agentRead.problems.map((p) => p.message).join('; ')}`);
  const engine = new VerdictEngine({
    inventory: inventoryFromManifests(inventoryTexts),
    agent: resolveAgent([{ origin: 'fixture', values: agentRead.values }]),
  });
  if (f.policies !== undefined) engine.setFile('policies.yaml', parseFile(f.policies));
  for (const rel of f.sharedPolicies ?? []) engine.setFile(rel, parseFile(sharedExample(rel) as string));
  return engine;
}

export function flowOf(flow: FixtureFlow): Flow {
  return {
    from: flow.from,
    to: flow.to,
    ...(flow.port !== undefined ? { port: flow.port } : {}),
    ...(flow.protocol !== undefined ? { protocol: flow.protocol } : {}),
    ...(flow.icmpType !== undefined ? { icmpType: flow.icmpType } : {}),
    ...(flow.http !== undefined ? { http: flow.http } : {}),
    ...(flow.dns !== undefined ? { dns: { query: flow.dns } } : {}),
  };
}

/** The deciding rules of a verdict as `policy-name section[i]`. */
export function decidingRules(v: FlowVerdict): string[] {
  return [...v.egress.by, ...v.ingress.by].map(
    (r) => `${r.name} ${r.spec !== null ? `specs[${r.spec}].` : ''}${r.direction}[${r.rule}]`,
  );
}

/** A flow as a short text for test names. */
export function flowText(flow: FixtureFlow): string {
  const end = (e: EndpointSpec): string =>
    Object.values(e)
      .map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
      .join(' ');
  const l4 =
    flow.protocol === 'ICMP' || flow.protocol === 'ICMPv6'
      ? `${flow.protocol} ${flow.icmpType ?? 'echo'}`
      : `${flow.protocol ?? 'TCP'}/${flow.port}`;
  const l7 = flow.http ? ` ${flow.http.method ?? 'GET'} ${flow.http.path ?? '/'}` : flow.dns ? ` dns ${flow.dns}` : '';
  return `${end(flow.from)} → ${end(flow.to)} ${l4}${l7}: ${flow.expect}`;
}
