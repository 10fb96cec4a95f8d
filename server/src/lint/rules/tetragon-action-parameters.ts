// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/action-parameters
 *
 * Parameters of `matchActions`/`matchReturnActions` items (D8). All parameters live on one CRD
 * type, so the CRD cannot say which belong to which action: `rateLimit` and the stack-trace
 * flags belong to Post, Signal needs `argSig`, Override needs a return value (`argError`) on
 * kprobes and LSM hooks or a register change on uprobes, GetUrl/DnsLookup need their target,
 * and USDT `Set` writes an argument that must be declared.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { list, str } from '../../core/data.js';
import { ACTION_FIELDS, allSelectors, int, items } from '../../core/tetragon/policy.js';
import { parseRateLimit, rateLimitScopeProblem } from '../../core/tetragon/values.js';

const MAX_SIGNAL = 64;

export const rule: Rule = {
  id: 'tetragon/action-parameters',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'An action parameter that does not fit its action: `rateLimit` or stack traces on anything but Post, a malformed `rateLimit` or `rateLimitScope`, Signal without a valid `argSig`, Override/GetUrl/DnsLookup/Set without what they need.',
  rationale:
    'The CRD has one action type with every parameter; the agent reads only the ones its action uses and checks a few. It refuses `rateLimit` on actions other than Post and a `rateLimit` that is not a 32-bit number optionally followed by `s`, `m` or `h` (either case); kprobes and fentries also refuse stack traces on other actions. A rate limit longer than about 49 days is silently clamped, and `rateLimitScope` is only read next to a `rateLimit`. Parameters an action needs default to 0 when left out, which silently does the wrong thing: Signal sends no signal, Override makes the call return 0 (success).',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: signal\nspec:\n  kprobes:\n    - call: sys_write\n      selectors:\n        - matchActions:\n            - action: Signal\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: signal\nspec:\n  kprobes:\n    - call: sys_write\n      selectors:\n        - matchActions:\n            - action: Signal\n              argSig: 10\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/tetragon',
      file: 'pkg/selectors/kernel.go',
      func: 'ParseMatchAction, parseRateLimit',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/generickprobe.go',
      func: 'preValidateKprobe (stack traces on kprobes and fentries)',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/genericusdt.go',
      func: 'addUsdt (Set argIndex)',
      releases: 'Tetragon 1.6–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/selectors/kernel_regs_amd64.go, pkg/selectors/kernel_regs_arm64.go',
      func: 'parseOverrideRegs (one Override per uprobe selector)',
      releases: 'Tetragon 1.6–1.8',
    },
  ],
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const sel of allSelectors(doc.data)) {
      const h = sel.hook;
      // Return actions are only compiled when the hook reads its return value (tetragon/return-arg).
      const readsReturn = h.hook['return'] === true && h.section !== 'lsmhooks';
      for (const field of ACTION_FIELDS) {
        if (field === 'matchReturnActions' && !readsReturn) continue;
        let overrides = 0;
        for (const a of items(sel.selector, field, sel.path)) {
          const action = str(a.item['action']);
          if (!action) continue;
          const has = (k: string) => a.item[k] !== undefined && a.item[k] !== null;
          const missing = (message: string) =>
            out.push({ path: [...a.path, 'action'], target: 'value', severity: 'warning', message });
          if (action !== 'Post') {
            if (has('rateLimit'))
              out.push({
                path: [...a.path, 'rateLimit'],
                target: 'key',
                message: `\`rateLimit\` only applies to Post; the agent rejects it on \`${action}\`.`,
              });
            // Only the entry actions of kprobes and fentries are checked (preValidateKprobe).
            const rejectsStacks = (h.section === 'kprobes' || h.section === 'fentries') && field === 'matchActions';
            for (const k of ['kernelStackTrace', 'userStackTrace']) {
              if (a.item[k] === true) {
                out.push({
                  path: [...a.path, k],
                  target: 'key',
                  ...(rejectsStacks ? {} : { severity: 'warning' as const }),
                  message: rejectsStacks
                    ? `Stack traces come with Post events; the agent refuses \`${k}\` on \`${action}\` for ${h.section === 'kprobes' ? 'kprobes' : 'fentries'}.`
                    : `Stack traces come with Post events; \`${k}\` on \`${action}\` is ignored.`,
                });
              }
            }
            if (a.item['imaHash'] === true)
              out.push({
                path: [...a.path, 'imaHash'],
                target: 'key',
                severity: 'warning',
                message: `\`imaHash\` is added to Post events; on \`${action}\` it is ignored.`,
              });
          }
          const rate = a.item['rateLimit'];
          const scope = a.item['rateLimitScope'];
          const hasRate = typeof rate === 'string' && rate !== '';
          if (hasRate && action === 'Post') {
            const r = parseRateLimit(rate, undefined);
            const scopeProblem = typeof scope === 'string' ? rateLimitScopeProblem(scope) : undefined;
            if (scopeProblem)
              out.push({ path: [...a.path, 'rateLimitScope'], target: 'value', message: scopeProblem.message });
            if ('code' in r) out.push({ path: [...a.path, 'rateLimit'], target: 'value', message: r.message });
            else if (r.clamped)
              out.push({
                path: [...a.path, 'rateLimit'],
                target: 'value',
                severity: 'warning',
                message: `\`rateLimit\` is kept in milliseconds in 32 bits; the agent clamps \`${rate}\` to 4294967295 ms (about 49.7 days).`,
              });
          }
          if (!hasRate && typeof scope === 'string' && scope !== '') {
            out.push({
              path: [...a.path, 'rateLimitScope'],
              target: 'key',
              severity: 'warning',
              message: '`rateLimitScope` is only read together with `rateLimit`; on its own the agent ignores it.',
            });
          }
          if (action === 'Signal' || action === 'NotifyEnforcer') {
            const sig = int(a.item['argSig']);
            if (sig !== undefined && (sig < 1 || sig > MAX_SIGNAL)) {
              // The agent loads it, but sending the signal fails every time: a warning, not a load error.
              out.push({
                path: [...a.path, 'argSig'],
                target: 'value',
                severity: 'warning',
                message: `\`argSig\` is a signal number from 1 to ${MAX_SIGNAL} (e.g. 9 for SIGKILL, 10 for SIGUSR1); ${sig} is not a signal, so sending it fails every time.`,
              });
            } else if (action === 'Signal' && !has('argSig')) {
              missing(
                'Signal without `argSig` sends signal 0, which delivers nothing. Set `argSig` (e.g. 9 for SIGKILL).',
              );
            }
          }
          if (action === 'Override' && h.section === 'uprobes' && ++overrides === 2)
            out.push({
              path: [...a.path, 'action'],
              target: 'value',
              message:
                'A uprobe selector takes one Override: the agent keeps one set of register changes per selector and refuses a second.',
            });
          if (action === 'Override') {
            // A uprobe Override without registers sets the return register to argError and returns.
            const regs =
              h.section === 'uprobes' &&
              (has('argRegs') || has('argNewSymbol') || has('argNewAddr') || has('argNewOffset'));
            if (
              (h.section === 'kprobes' || h.section === 'lsmhooks' || h.section === 'uprobes') &&
              !has('argError') &&
              !regs
            )
              missing(
                `Override without \`argError\` makes the ${h.section === 'uprobes' ? 'function' : 'call'} return 0, i.e. succeed without doing its work. Set \`argError\` to a negative errno (e.g. -1 for EPERM)${h.section === 'uprobes' ? ', or `argRegs` to set registers' : ''}.`,
              );
          }
          if (action === 'GetUrl' && !has('argUrl')) missing('GetUrl without `argUrl` has nothing to fetch.');
          if (action === 'DnsLookup' && !has('argFqdn')) missing('DnsLookup without `argFqdn` has nothing to resolve.');
          if (action === 'Set' && h.section === 'usdts') {
            const idx = int(a.item['argIndex']);
            const n = list(h.hook['args']).length;
            if (idx !== undefined && idx >= n) {
              out.push({
                path: [...a.path, 'argIndex'],
                target: 'value',
                message: `\`Set\` writes one of the probe's declared \`args\` (${n} here); ${idx === n ? `the agent crashes (index out of range) on \`argIndex\` ${idx}` : `the agent refuses \`argIndex\` ${idx}`}.`,
              });
            }
          }
        }
      }
    }
    return out;
  },
};
