// SPDX-License-Identifier: Apache-2.0
/** Reading `toPorts[].ports[]` entries the way the agent does. */
import type { DataPath } from '../data.js';
import { list, obj, str, type Obj } from '../data.js';
import { portRules, type PortRuleRef } from './sections.js';

/** Protocols that are not TCP/UDP/SCTP: carried by IP directly, no ports, and behind an agent flag. */
export const EXTENDED_PROTOCOLS: readonly string[] = ['VRRP', 'IGMP', 'GRE', 'IPIP', 'IPV6', 'ESP', 'AH'];

/** One entry of `ports`. */
export interface PortRef {
  readonly port: Obj;
  readonly path: DataPath;
  readonly portRule: PortRuleRef;
}

/** Every `ports[]` entry of every `toPorts[]` entry. */
export function portEntries(data: unknown): PortRef[] {
  const out: PortRef[] = [];
  for (const pr of portRules(data)) {
    list(pr.portRule['ports']).forEach((p, i) => {
      const port = obj(p);
      if (port) out.push({ port, path: [...pr.path, 'ports', i], portRule: pr });
    });
  }
  return out;
}

/** The ports of one `toPorts[]` entry. */
export function portsOf(pr: PortRuleRef): PortRef[] {
  const out: PortRef[] = [];
  list(pr.portRule['ports']).forEach((p, i) => {
    const port = obj(p);
    if (port) out.push({ port, path: [...pr.path, 'ports', i], portRule: pr });
  });
  return out;
}

/** An IANA-style service name: ≤15 letters, digits and single inner hyphens, with at least one letter. */
export function isServiceName(s: string): boolean {
  return s.length >= 1 && s.length <= 15 && /^[A-Za-z0-9](?:-?[A-Za-z0-9])*$/.test(s) && /[A-Za-z]/.test(s);
}

/** The port number when `port` is a decimal number the agent accepts, else undefined. */
export function portNumber(s: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 65535 ? n : undefined;
}

/** The protocol as the agent reads it (upper case; empty means ANY). */
export function protocolOf(port: Obj): string {
  return (str(port['protocol']) ?? '').toUpperCase() || 'ANY';
}

/** True when the entry carries L7 rules of any kind. */
export function hasL7Rules(pr: Obj): boolean {
  const rules = obj(pr['rules']);
  return rules !== undefined && Object.keys(rules).length > 0;
}
