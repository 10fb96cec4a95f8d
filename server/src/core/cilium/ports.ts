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

/**
 * An IANA service name as the agent tests it (`iana.IsSvcName`): 1 to 15 letters, digits and single
 * inner hyphens, with at least one letter. The agent asks this before it tries a number, so `0x50`
 * is a name, not port 80.
 */
export function isServiceName(s: string): boolean {
  return s.length >= 1 && s.length <= 15 && /^[A-Za-z0-9](?:-?[A-Za-z0-9])*$/.test(s) && /[A-Za-z]/.test(s);
}

/**
 * Go's `strconv.ParseUint(s, 0, bits)` for `bits` up to 32: the base comes from the prefix (`0x`,
 * `0o`, `0b`, a bare leading `0` for octal, else decimal) and `_` may separate digits (only between
 * digits, or after a prefix). Returns the number, or why Go refuses the text. Hand-written because
 * JavaScript's `Number`/`parseInt` accept other spellings (`1e3`, ` 80`, `0x`-only hex) than Go.
 */
export function parseGoUint(s: string, bits = 16): { value: number } | { error: 'syntax' | 'range' } {
  if (s === '') return { error: 'syntax' };
  let base = 10;
  let digits = s;
  if (s[0] === '0') {
    const p = s[1]?.toLowerCase();
    if (s.length >= 3 && p === 'b') [base, digits] = [2, s.slice(2)];
    else if (s.length >= 3 && p === 'o') [base, digits] = [8, s.slice(2)];
    else if (s.length >= 3 && p === 'x') [base, digits] = [16, s.slice(2)];
    else [base, digits] = [8, s.slice(1)];
  }
  const max = 2 ** bits - 1;
  let n = 0;
  let underscores = false;
  let overflow = false;
  for (const c of digits) {
    if (c === '_') {
      underscores = true;
      continue;
    }
    const d = parseInt(c, 36);
    if (Number.isNaN(d) || d >= base) return { error: 'syntax' };
    n = n * base + d;
    if (n > max) overflow = true;
  }
  if (underscores && !goUnderscoresOk(s)) return { error: 'syntax' };
  return overflow ? { error: 'range' } : { value: n };
}

/** Go's rule for `_` in integer literals: only between digits, or between a base prefix and a digit. */
function goUnderscoresOk(s: string): boolean {
  // 'start' at the beginning, 'digit' after a digit or prefix, 'under' after '_', 'other' otherwise.
  let saw: 'start' | 'digit' | 'under' | 'other' = 'start';
  let i = 0;
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(s[1]!.toLowerCase())) {
    i = 2;
    saw = 'digit';
    hex = s[1]!.toLowerCase() === 'x';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= '0' && c <= '9') || (hex && /[a-f]/i.test(c))) {
      saw = 'digit';
      continue;
    }
    if (c === '_') {
      if (saw !== 'digit') return false;
      saw = 'under';
      continue;
    }
    if (saw === 'under') return false;
    saw = 'other';
  }
  return saw !== 'under';
}

/** What the agent makes of a `port` string (`PortProtocol.Validate`). */
export type AgentPort =
  | { readonly kind: 'name' }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'invalid'; readonly reason: 'syntax' | 'range' };

/** Reads `port` as the agent does: an IANA service name first, else `ParseUint(port, 0, 16)`. */
export function agentPort(s: string): AgentPort {
  if (isServiceName(s)) return { kind: 'name' };
  const r = parseGoUint(s, 16);
  return 'value' in r ? { kind: 'number', value: r.value } : { kind: 'invalid', reason: r.error };
}

/** The port number when the agent reads `port` as a number, else undefined (a name, or invalid). */
export function portNumber(s: string): number | undefined {
  const p = agentPort(s);
  return p.kind === 'number' ? p.value : undefined;
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
