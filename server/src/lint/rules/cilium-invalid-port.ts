// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/invalid-port
 *
 * The agent reads `port` as an IANA service name when it looks like one (letters, digits and
 * single hyphens, at least one letter, at most 15 characters), and otherwise as Go's
 * `strconv.ParseUint(port, 0, 16)`: a number up to 65535 where `0x`/`0o`/`0b` pick the base, a
 * bare leading `0` means octal and `_` may separate digits. The CRD pattern is anchored only at one
 * end per alternative, so anything that starts with a digit (`"99999"`, `"80/tcp"`, `"08"`) passes
 * admission and is then rejected by the agent (`PortProtocol.Validate` in
 * pkg/policy/api/rule_validation.go). A missing `port` is only accepted with extended IP protocols
 * (see cilium/extended-protocol), and a deny entry may list at most 40 ports (the CRD caps allow
 * entries itself). Spellings the agent reads differently from what they seem to say get a warning:
 * `"010"` is port 8, `"0x50"` is a port name, and an `endPort` below `port` is not a range.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { str } from '../../core/data.js';
import { list, obj } from '../../core/data.js';
import { agentPort, EXTENDED_PROTOCOLS, portEntries, protocolOf } from '../../core/cilium/ports.js';
import { portRules } from '../../core/cilium/sections.js';
import type { Fix } from '../../core/findings.js';
import type { PolicyDocument, PolicyFile } from '../../core/document.js';
import { insertEntry, replaceValue } from '../../core/yaml-edits.js';

/** The agent's limit on the ports of one `toPorts` entry (`maxPorts`), also for deny entries. */
const MAX_PORTS = 40;

export const rule: Rule = {
  id: 'cilium/invalid-port',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'A `port` the agent cannot read as a number from 0 to 65535 or a port name, a missing `port`, more than 40 ports in a deny entry; or a port spelling the agent reads differently than it looks.',
  rationale:
    'The CRD pattern for `port` only checks how the value starts or ends, so values like `"99999"`, `"8080-8090"` or `"80/tcp"` are admitted. The agent first tests for an IANA service name (at most 15 letters, digits and single hyphens, with a letter), then parses the string as Go does with base prefixes: `"0x50"` is therefore a name, `"010"` is octal 8, `"08"` is invalid and `"1_000"` is 1000. What it cannot read makes it reject the policy. `port` may only be left out with the extended-IP-protocols agent option, and a deny entry may list at most 40 ports. For ranges, `port` is the lower bound and `endPort` the upper one.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - ports:\n            - port: "8080-8090"\n              protocol: TCP\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - ports:\n            - port: "8080"\n              endPort: 8090\n              protocol: TCP\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/cilium',
      file: 'pkg/policy/api/rule_validation.go',
      func: 'PortProtocol.Validate (iana.IsSvcName, then strconv.ParseUint(port, 0, 16))',
      releases: 'Cilium 1.16–1.20',
    },
    {
      repo: 'cilium/cilium',
      file: 'pkg/policy/api/rule_validation.go',
      func: 'PortDenyRule.Validate (maxPorts)',
      releases: 'Cilium 1.16–1.20',
    },
  ],
  check({ doc, file }) {
    const out: RuleFinding[] = [];
    for (const p of portEntries(doc.data)) {
      const raw = p.port['port'];
      const proto = protocolOf(p.port);
      if (raw === undefined || raw === '') {
        // Extended protocols have no ports; cilium/extended-protocol speaks about them.
        if (EXTENDED_PROTOCOLS.includes(proto)) continue;
        out.push({
          path: raw === undefined ? p.path : [...p.path, 'port'],
          target: raw === undefined ? undefined : 'value',
          message:
            'This entry has no `port`; the agent rejects it unless it runs with `enable-extended-ip-protocols`. Write the port (`"0"` means every port).',
        });
        continue;
      }
      const s = str(raw);
      if (s === undefined) continue; // The schema reports the type.
      const read = agentPort(s);
      if (read.kind === 'invalid') {
        const fixes = invalidPortFixes(file, doc, p.path, s, p.port);
        out.push({
          path: [...p.path, 'port'],
          target: 'value',
          message: invalidMessage(s, read.reason),
          ...(fixes.length > 0 ? { fixes } : {}),
        });
        continue;
      }
      if (read.kind === 'name') {
        const spelled = numberSpelledAsName(s);
        if (spelled !== undefined) {
          out.push({
            path: [...p.path, 'port'],
            target: 'value',
            severity: 'warning',
            message: `\`port: "${s}"\` is read as a port name, not as the number ${spelled}: the agent checks for a name before it parses numbers, so this matches a container port named \`${s.toLowerCase()}\`. Write \`"${spelled}"\` for the number.`,
            ...portValueFix(file, doc, p.path, String(spelled)),
          });
        }
        continue;
      }
      const n = read.value;
      if (/^0[0-9_]+$/.test(s) && Number(s.replace(/_/g, '')) !== n) {
        out.push({
          path: [...p.path, 'port'],
          target: 'value',
          severity: 'warning',
          message: `\`port: "${s}"\` is octal (a leading 0 means base 8), so the agent reads port ${n}. Drop the leading zeros for port ${Number(s.replace(/_/g, ''))}.`,
          ...portValueFix(file, doc, p.path, String(Number(s.replace(/_/g, '')))),
        });
      }
      const end = p.port['endPort'];
      if (typeof end === 'number' && end > 0 && end < n) {
        out.push({
          path: [...p.path, 'endPort'],
          target: 'value',
          severity: 'warning',
          message: `\`endPort\` (${end}) is lower than \`port\` (${n}), so this is not the range ${end}–${n}; put the lower bound in \`port\` and the upper one in \`endPort\`.`,
          ...swapFix(file, doc, p.path, end, n),
        });
      }
    }
    // Allow entries are capped by the CRD (maxItems); deny entries only by the agent.
    for (const pr of portRules(doc.data)) {
      if (!pr.section.direction.endsWith('Deny')) continue;
      const ports = list(pr.portRule['ports']).filter((x) => obj(x) !== undefined);
      if (ports.length <= MAX_PORTS) continue;
      out.push({
        path: [...pr.path, 'ports'],
        target: 'key',
        message: `This deny entry lists ${ports.length} ports; the agent rejects more than ${MAX_PORTS} in one \`toPorts\` entry. Split it into several entries.`,
      });
    }
    return out;
  },
};

/** Why the agent cannot read `port`, with a hint at what was probably meant. */
function invalidMessage(s: string, reason: 'syntax' | 'range'): string {
  const range = /^(\d+)\s*[-:]\s*(\d+)$/.exec(s);
  let hint = '';
  if (range) hint = ` For a range write \`port: "${range[1]}"\` and \`endPort: ${range[2]}\`.`;
  else if (reason === 'range') hint = ' Port numbers go up to 65535.';
  else if (/^0[0-9_]*[89]/.test(s))
    hint = ' A leading 0 makes the number octal, where 8 and 9 are not digits; drop the leading zeros.';
  return `\`port: "${s}"\` is neither a port number (0–65535) nor a port name (up to 15 letters, digits and single hyphens); the agent rejects it.${hint}`;
}

/** The number a name-shaped port seems to spell (`0x50` → 80, `0o17`, `0b101`), else undefined. */
function numberSpelledAsName(s: string): number | undefined {
  const m = /^0([xob])([0-9a-f]+)$/i.exec(s);
  if (!m) return undefined;
  const base = { x: 16, o: 8, b: 2 }[m[1]!.toLowerCase() as 'x' | 'o' | 'b'];
  const r = parseInt(m[2]!, base);
  return Number.isNaN(r) || [...m[2]!].some((c) => parseInt(c, 16) >= base) || r > 65535 ? undefined : r;
}

/** A port as the value of `port`: always quoted, so it stays a string. */
function quoted(port: string): string {
  return JSON.stringify(port);
}

/** The one-edit fix that writes another value into `port`. */
function portValueFix(
  file: PolicyFile,
  doc: PolicyDocument,
  entry: readonly (string | number)[],
  port: string,
): { fixes?: Fix[] } {
  const edit = replaceValue(file, doc, [...entry, 'port'], quoted(port));
  return edit ? { fixes: [{ title: `Change to \`port: "${port}"\``, edits: [edit], preferred: true }] } : {};
}

/** Swaps `port` and `endPort` when the range is written upside down. */
function swapFix(
  file: PolicyFile,
  doc: PolicyDocument,
  entry: readonly (string | number)[],
  end: number,
  start: number,
): { fixes?: Fix[] } {
  const a = replaceValue(file, doc, [...entry, 'port'], quoted(String(end)));
  const b = replaceValue(file, doc, [...entry, 'endPort'], String(start));
  return a && b ? { fixes: [{ title: `Make it the range ${end}–${start}`, edits: [a, b], preferred: true }] } : {};
}

/**
 * The nearest valid form of a port the agent rejects, when the value says what was meant: a range
 * written in `port` (`"8080-8090"`, `"8080:8090"`) becomes `port` and `endPort`, a protocol
 * written in it (`"80/tcp"`) moves to `protocol`, and an octal-looking number with 8 or 9 loses its
 * leading zeros. Out-of-range numbers and malformed names have no nearest form: no fix.
 */
function invalidPortFixes(
  file: PolicyFile,
  doc: PolicyDocument,
  entry: readonly (string | number)[],
  s: string,
  port: Readonly<Record<string, unknown>>,
): Fix[] {
  const valid = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 65535;
  const range = /^\s*0*(\d+)\s*[-:]\s*0*(\d+)\s*$/.exec(s);
  if (range) {
    let lo = Number(range[1]);
    let hi = Number(range[2]);
    if (!valid(lo) || !valid(hi) || lo === hi) return [];
    if (lo > hi) [lo, hi] = [hi, lo];
    const first = replaceValue(file, doc, [...entry, 'port'], quoted(String(lo)));
    const second =
      port['endPort'] === undefined
        ? insertEntry(file, doc, entry, 'endPort', String(hi))
        : replaceValue(file, doc, [...entry, 'endPort'], String(hi));
    return first && second
      ? [
          {
            title: `Write the range as \`port: "${lo}"\` and \`endPort: ${hi}\``,
            edits: [first, second],
            preferred: true,
          },
        ]
      : [];
  }
  const withProtocol = /^\s*0*(\d+)\s*\/\s*(tcp|udp|sctp)\s*$/i.exec(s);
  if (withProtocol) {
    const n = Number(withProtocol[1]);
    const proto = withProtocol[2]!.toUpperCase();
    if (!valid(n)) return [];
    const first = replaceValue(file, doc, [...entry, 'port'], quoted(String(n)));
    if (!first) return [];
    const written = typeof port['protocol'] === 'string' ? port['protocol'] : undefined;
    if (written !== undefined && written !== '') {
      // A protocol is written already: only the port changes, the protocol is the author's to decide.
      return [{ title: `Change to \`port: "${n}"\``, edits: [first], preferred: true }];
    }
    const second = insertEntry(file, doc, entry, 'protocol', proto);
    return second
      ? [{ title: `Write \`port: "${n}"\` and \`protocol: ${proto}\``, edits: [first, second], preferred: true }]
      : [];
  }
  const octal = /^0+([0-9]+)$/.exec(s);
  if (octal && /[89]/.test(s) && valid(Number(octal[1]))) {
    const n = String(Number(octal[1]));
    const edit = replaceValue(file, doc, [...entry, 'port'], quoted(n));
    return edit ? [{ title: `Change to \`port: "${n}"\``, edits: [edit], preferred: true }] : [];
  }
  return [];
}
