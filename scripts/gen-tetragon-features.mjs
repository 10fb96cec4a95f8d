#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
/**
 * Regenerates the Tetragon kernel-feature table (server/src/core/tetragon/features.json): which
 * kernel feature each hook type, action, operator and argument option needs, as the agent decides
 * it (its feature probes in `pkg/bpf/detect_linux.go`, the program variants chosen in
 * `pkg/config`, the checks in `pkg/sensors/tracing` and `pkg/selectors`, the `#ifdef`s of its BPF
 * programs), and the minimal kernel release of each feature where the agent's tree ties it to one
 * (its own checks and messages, its documentation, the feature tests of its vendored cilium/ebpf).
 *
 * Every fact is looked up in a Tetragon checkout read with git (nothing is copied: the output holds
 * our own descriptions, the extracted numbers, and file:line provenance). When a lookup no longer
 * matches, the script stops and names it, so a Tetragon change is reviewed rather than missed.
 *
 *   node scripts/gen-tetragon-features.mjs [--repo /work/.mirror/cilium+tetragon/repo] [--rev HEAD]
 *
 * Run by hand and commit the output; nothing runs at install or test time (docs/kernel-data.md).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'server/src/core/tetragon/features.json');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const REPO = arg('--repo', '/work/.mirror/cilium+tetragon/repo');
const REV = arg('--rev', 'HEAD');

const git = (...a) => execFileSync('git', ['-C', REPO, ...a], { encoding: 'utf8', maxBuffer: 64 << 20 });
const commit = git('rev-parse', REV).trim();
const committed = git('show', '-s', '--format=%cs', commit).trim();
const describe = (() => {
  try {
    return git('describe', '--tags', '--match', 'v*', commit).trim();
  } catch {
    return commit.slice(0, 12);
  }
})();

const files = new Map();
function text(file) {
  if (!files.has(file)) files.set(file, git('show', `${commit}:${file}`));
  return files.get(file);
}

/**
 * Finds `re` in `file` (after the first match of `after`, when given) and returns the 1-based line
 * of the match and its capture groups. Stops the script when there is no match.
 */
function find(file, re, after) {
  const t = text(file);
  let from = 0;
  if (after) {
    const a = after.exec(t);
    if (!a) throw new Error(`${file}: anchor ${after} not found; Tetragon changed, review the table`);
    from = a.index;
  }
  const r = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  r.lastIndex = from;
  const m = r.exec(t);
  if (!m)
    throw new Error(`${file}: ${re} not found${after ? ` after ${after}` : ''}; Tetragon changed, review the table`);
  const line = t.slice(0, m.index).split('\n').length;
  return { line, groups: m.slice(1) };
}

/** A provenance record: where in Tetragon a fact is, and the fact in our words. */
function src(file, re, fact, after) {
  const { line } = find(file, re, after);
  return { file, line, fact };
}

/** `5.3.0` → `5.3`. */
const rel = (v) => v.replace(/^(\d+\.\d+)\.0$/, '$1');

/** Evaluates a Go integer constant of `file` (literals, other constants, + - * /). */
function goConst(file, name, seen = new Set()) {
  if (seen.has(name)) throw new Error(`${file}: constant ${name} is circular`);
  seen.add(name);
  const { groups } = find(file, new RegExp(`^\\s*${name}\\s*=\\s*([^\\n/]+)`, 'm'));
  const expr = groups[0].trim();
  const value = expr.replace(/[A-Za-z_]\w*/g, (id) => String(goConst(file, id, seen)));
  if (!/^[\d\s+\-*/()]+$/.test(value)) throw new Error(`${file}: ${name} = ${expr} is not a plain integer expression`);
  return Function(`"use strict"; return (${value});`)();
}

/** The version a cilium/ebpf feature test declares: `haveX = internal.NewFeatureTest(..., "5.18")`. */
function ebpfFeatureTest(file, variable) {
  const at = find(file, new RegExp(`var ${variable} = internal\\.NewFeatureTest\\(`));
  const v = find(file, /^\}, "([\d.]+)"\)/m, new RegExp(`var ${variable} = internal\\.NewFeatureTest\\(`));
  return {
    version: v.groups[0],
    source: { file, line: at.line, fact: `cilium/ebpf's feature test gives ${v.groups[0]}` },
  };
}

/** The version of a program type in cilium/ebpf's matrix (`ebpf.LSM: { Version: "5.7", ... }`). */
function ebpfProgramType(type) {
  const file = 'vendor/github.com/cilium/ebpf/features/prog.go';
  const anchor = new RegExp(`^\\s*ebpf\\.${type}:\\s*\\{`, 'm');
  const at = find(file, anchor);
  const v = find(file, /Version:\s*"([\d.]+)"/, anchor);
  return {
    version: v.groups[0],
    source: { file, line: at.line, fact: `cilium/ebpf gives ${v.groups[0]} for the ${type} program type` },
  };
}

// ---------------------------------------------------------------------------------------------
// The probes the agent runs at start (what `tetra probe` prints)

const PROBES_GO = 'pkg/bpf/probes.go';
const DETECT = 'pkg/bpf/detect_linux.go';
const probeNames = {};
for (const m of text(PROBES_GO).matchAll(/^\s*(\w+)\s*=\s*"(\w+)"/gm)) probeNames[m[1]] = m[2];
const probeList = [...text(DETECT).matchAll(/^\s*\{(\w+),\s*(\w+)\},$/gm)].map((m) => ({
  name: probeNames[m[1]],
  fn: m[2],
}));
if (probeList.length < 15 || probeList.some((p) => !p.name))
  throw new Error(`${DETECT}: the FeatureProbes list no longer reads as expected`);
const probeSource = src(DETECT, /^var FeatureProbes = \[\]FeatureProbe\{/m, 'the probes `tetra probe` runs and prints');
const probe = (name) => {
  if (!probeList.some((p) => p.name === name)) throw new Error(`probe ${name} is no longer in FeatureProbes`);
  return name;
};

// ---------------------------------------------------------------------------------------------
// Kernel releases

const FAQ = 'docs/content/en/docs/installation/faq.md';
const SELECTORS_MD = 'docs/content/en/docs/concepts/tracing-policy/selectors.md';
const HOOKS_MD = 'docs/content/en/docs/concepts/tracing-policy/hooks.md';
const CONFIG_GO = 'pkg/config/config_linux.go';
const KPROBE_GO = 'pkg/sensors/tracing/generickprobe.go';
const LSM_GO = 'pkg/sensors/tracing/genericlsm.go';
const TP_GO = 'pkg/sensors/tracing/generictracepoint.go';
const UPROBE_GO = 'pkg/sensors/tracing/genericuprobe.go';
const USDT_GO = 'pkg/sensors/tracing/genericusdt.go';
const ENFORCER_GO = 'pkg/sensors/tracing/enforcer.go';
const OPTIONS_GO = 'pkg/sensors/tracing/options.go';
const KERNEL_GO = 'pkg/selectors/kernel.go';
const SELECTORS_GO = 'pkg/selectors/selectors.go';
const BASIC_H = 'bpf/process/types/basic.h';
const CALLS_H = 'bpf/process/generic_calls.h';
const PFILTER_H = 'bpf/process/pfilter.h';
const RATELIMIT_H = 'bpf/process/ratelimit_maps.h';

const floor = find(FAQ, /Tetragon needs Linux kernel version (\d+\.\d+) or greater/);
const largeInsns = ebpfFeatureTest('vendor/github.com/cilium/ebpf/features/misc.go', 'haveLargeInstructions');
const sigkillRelease = find(KPROBE_GO, /"sigkill action requires kernel >= ([\d.]+)"/);
const armTrampolines = find(DETECT, /BPF trampolines for arm64 are available only since ([\d.]+)/);
const lsmRelease = ebpfProgramType('LSM');
const tracingRelease = ebpfProgramType('Tracing');
const fmodRetRelease = find(SELECTORS_MD, /Starting from kernel version `([\d.]+)` overriding `security_` hooks/);
const kprobeMulti = ebpfFeatureTest('vendor/github.com/cilium/ebpf/features/link.go', 'haveBPFLinkKprobeMulti');
const uprobeMulti = ebpfFeatureTest('vendor/github.com/cilium/ebpf/features/link.go', 'haveBPFLinkUprobeMulti');
const buildIdRelease = find(
  'pkg/sensors/tracing/loader_linux.go',
  /bpf\.HasBuildId\(\) && kernels\.MinKernelVersion\("([\d.]+)"\)/,
);
const substring = find(SELECTORS_MD, /SubString - [^\n]*\(v([\d.]+)\+, requires the `(\w+)` kfunc\)/);
const substringIgnCase = find(SELECTORS_MD, /SubStringIgnoreCase - [^\n]*\(v([\d.]+)\+, requires the `(\w+)` kfunc\)/);
const v511 = find(CONFIG_GO, /KernelStringToNumeric\("([\d.]+)"\)\)/, /^func EnableV511Progs\(\)/m);
const v61 = find(CONFIG_GO, /KernelStringToNumeric\("([\d.]+)"\)\)/, /^func EnableV61Progs\(\)/m);
const timeNs = find(SELECTORS_MD, /`Time` and `TimeForChildren` are also available in Linux\s+\\?>= (\d+\.\d+)/);
const stringV511 = find(SELECTORS_GO, /kernels\.MinKernelVersion\("([\d.]+)"\)/, /^func ArgStringSelectorValue\(/m);
const stringV54 = find(
  SELECTORS_GO,
  /else if kernels\.MinKernelVersion\("([\d.]+)"\)/,
  /^func ArgStringSelectorValue\(/m,
);

const x86 = (v) => ({ x86_64: rel(v), arm64: rel(v) });

/** Every feature: the `tetra probe` name (when the agent probes it), the releases, and what else decides it. */
const features = {
  large: {
    probe: probe('large'),
    title: 'BPF programs over 4096 instructions',
    minKernel: x86(largeInsns.version),
    condition: 'version',
    sources: [
      src(DETECT, /return features\.HaveLargeInstructions\(\) == nil/, 'the agent asks cilium/ebpf for large programs'),
      largeInsns.source,
    ],
  },
  signal: {
    probe: probe('signal'),
    title: 'the signal helper (bpf_send_signal)',
    minKernel: x86(sigkillRelease.groups[0]),
    condition: 'version',
    sources: [
      src(DETECT, /features\.HaveProgramHelper\(ebpf\.Kprobe, asm\.FnSendSignal\)/, 'probed as a kprobe helper'),
      {
        file: KPROBE_GO,
        line: sigkillRelease.line,
        fact: `Sigkill, which needs the signal helper and large programs, needs ${rel(sigkillRelease.groups[0])}; large programs alone need ${largeInsns.version}`,
      },
    ],
  },
  large_progs: {
    probe: null,
    title: "the agent's large programs (programs over 4096 instructions and the signal helper)",
    all: ['large', 'signal'],
    minKernel: x86(sigkillRelease.groups[0]),
    condition: 'version',
    sources: [
      src(
        CONFIG_GO,
        /return bpf\.HasProgramLargeSize\(\) && bpf\.HasSignalHelper\(\)/,
        'large programs are used when both probes pass (the agent flags --force-small-progs and --force-large-progs override it)',
      ),
    ],
  },
  override_return: {
    probe: probe('override_return'),
    title: 'the override helper (bpf_override_return)',
    minKernel: x86(floor.groups[0]),
    condition: 'config',
    config: ['CONFIG_BPF_KPROBE_OVERRIDE'],
    sources: [
      src(DETECT, /features\.HaveProgramHelper\(ebpf\.Kprobe, asm\.FnOverrideReturn\)/, 'probed as a kprobe helper'),
      src(
        SELECTORS_MD,
        /on kernels compiled with `CONFIG_BPF_KPROBE_OVERRIDE`/,
        'only kernels built with CONFIG_BPF_KPROBE_OVERRIDE have it',
      ),
    ],
  },
  fmodret: {
    probe: probe('fmodret'),
    title: 'fmod_ret programs on `security_` functions (BPF trampolines)',
    minKernel: { x86_64: rel(fmodRetRelease.groups[0]), arm64: rel(armTrampolines.groups[0]) },
    condition: 'version',
    sources: [
      src(DETECT, /Name:\s*"probe_fmod_ret"/, 'probed by attaching fmod_ret to a security_ function'),
      {
        file: SELECTORS_MD,
        line: fmodRetRelease.line,
        fact: `overriding security_ functions works from ${fmodRetRelease.groups[0]}`,
      },
      { file: DETECT, line: armTrampolines.line, fact: `arm64 has BPF trampolines from ${armTrampolines.groups[0]}` },
    ],
  },
  fmodret_syscall: {
    probe: probe('fmodret_syscall'),
    title: 'fmod_ret programs on syscalls',
    minKernel: { x86_64: rel(fmodRetRelease.groups[0]), arm64: rel(armTrampolines.groups[0]) },
    condition: 'config',
    config: ['error injection on syscalls (/sys/kernel/debug/error_injection/list)'],
    sources: [
      src(
        DETECT,
        /Name:\s*"probe_sys_fmod_ret"/,
        'probed by attaching fmod_ret to a syscall, which the kernel allows only where error injection is enabled',
      ),
      src(
        SELECTORS_MD,
        /\/sys\/kernel\/debug\/error_injection\/list/,
        'the functions open to error injection are listed there',
      ),
    ],
  },
  kprobe_multi: {
    probe: probe('kprobe_multi'),
    title: 'kprobe.multi links',
    minKernel: x86(kprobeMulti.version),
    condition: 'probe',
    sources: [
      src(DETECT, /AttachType: ebpf\.AttachTraceKprobeMulti/, 'probed by attaching a kprobe.multi link'),
      kprobeMulti.source,
    ],
  },
  uprobe_multi: {
    probe: probe('uprobe_multi'),
    title: 'uprobe.multi links',
    minKernel: x86(uprobeMulti.version),
    condition: 'probe',
    sources: [
      src(DETECT, /AttachType: ebpf\.AttachTraceUprobeMulti/, 'probed by attaching an uprobe.multi link'),
      uprobeMulti.source,
    ],
  },
  lsm: {
    probe: probe('lsm'),
    title: 'BPF LSM programs',
    minKernel: { x86_64: rel(lsmRelease.version), arm64: rel(armTrampolines.groups[0]) },
    condition: 'boot',
    config: ['CONFIG_BPF_LSM'],
    boot: 'lsm=bpf',
    check: '`tetra probe` prints `lsm: true` (`cat /sys/kernel/security/lsm` lists `bpf`)',
    sources: [
      src(
        DETECT,
        /strings\.Contains\(string\(b\), "bpf"\)/,
        'the probe needs `bpf` in /sys/kernel/security/lsm, then loads and attaches an LSM program',
      ),
      lsmRelease.source,
      {
        file: DETECT,
        line: armTrampolines.line,
        fact: `on arm64 the attach needs BPF trampolines, from ${armTrampolines.groups[0]}`,
      },
      src(
        HOOKS_MD,
        /^CONFIG_BPF_LSM=y$/m,
        'the kernel must be built with CONFIG_BPF_LSM and booted with bpf in its lsm= list',
      ),
    ],
  },
  fentry: {
    probe: probe('fentry'),
    title: 'fentry programs (BPF trampolines)',
    minKernel: { x86_64: rel(tracingRelease.version), arm64: rel(armTrampolines.groups[0]) },
    condition: 'version',
    sources: [
      src(
        DETECT,
        /if runtime\.GOARCH == "amd64" \{\s*return features\.HaveProgramType\(ebpf\.Tracing\) == nil/,
        'on x86_64 the program type decides; elsewhere an fentry program must attach',
      ),
      tracingRelease.source,
      { file: DETECT, line: armTrampolines.line, fact: `arm64 has BPF trampolines from ${armTrampolines.groups[0]}` },
    ],
  },
  buildid: {
    probe: probe('buildid'),
    title: 'build ids in perf events',
    minKernel: x86(buildIdRelease.groups[0]),
    condition: 'probe',
    sources: [
      {
        file: 'pkg/sensors/tracing/loader_linux.go',
        line: buildIdRelease.line,
        fact: `used only with the probe and ${buildIdRelease.groups[0]} or later`,
      },
    ],
  },
  substring_kfunc: {
    probe: probe('substring_kfunc'),
    title: `the ${substring.groups[1]} kfunc`,
    minKernel: x86(substring.groups[0]),
    condition: 'probe',
    config: ["the kernel's own BTF (/sys/kernel/btf/vmlinux); with an external BTF file the agent uses no kfunc"],
    sources: [
      src(
        DETECT,
        /return HasProgramLargeSize\(\) && HasKfunc\("bpf_strnstr"\)/,
        'large programs and the kfunc in the kernel BTF',
      ),
      src(
        DETECT,
        /if btfFilePath := btf\.GetCachedBTFFile\(\); btfFilePath != "\/sys\/kernel\/btf\/vmlinux"/,
        'no kfunc when the agent runs on an external BTF file',
      ),
      { file: SELECTORS_MD, line: substring.line, fact: `SubString needs ${substring.groups[0]} or later` },
    ],
  },
  strncasestr_kfunc: {
    probe: null,
    title: `the ${substringIgnCase.groups[1]} kfunc`,
    minKernel: x86(substringIgnCase.groups[0]),
    condition: 'probe',
    config: ["the kernel's own BTF (/sys/kernel/btf/vmlinux)"],
    check: `\`bpftool btf dump file /sys/kernel/btf/vmlinux | grep ${substringIgnCase.groups[1]}\` finds it`,
    sources: [
      src(
        UPROBE_GO,
        /bpf\.HasKfunc\("bpf_strncasestr"\)/,
        'looked up in the kernel BTF when a policy uses SubStringIgnCase',
      ),
      {
        file: SELECTORS_MD,
        line: substringIgnCase.line,
        fact: `SubStringIgnCase needs ${substringIgnCase.groups[0]} or later`,
      },
    ],
  },
  copy_from_user_str: {
    probe: probe('copy_from_user_str'),
    title: 'the bpf_copy_from_user_str kfunc',
    minKernel: null,
    condition: 'probe',
    sources: [
      src(
        DETECT,
        /return HasKfunc\("bpf_copy_from_user_str"\)/,
        'looked up in the kernel BTF; the tree names no release for it',
      ),
    ],
  },
  uprobe_regs_change: {
    probe: probe('uprobe_regs_change'),
    title: 'uprobe programs that write registers',
    minKernel: null,
    condition: 'probe',
    sources: [
      src(
        DETECT,
        /Name: "uprobe_regs"/,
        'probed by loading a program that writes the first register; the tree names no release for it',
      ),
    ],
  },
  v511: {
    probe: null,
    title: "the agent's 5.11 program variants",
    minKernel: x86(v511.groups[0]),
    condition: 'version',
    sources: [
      {
        file: CONFIG_GO,
        line: v511.line,
        fact: `chosen by release: ${rel(v511.groups[0])} or later (unless --force-small-progs)`,
      },
    ],
  },
  v61: {
    probe: null,
    title: "the agent's 6.1 program variants",
    minKernel: x86(v61.groups[0]),
    condition: 'version',
    sources: [
      {
        file: CONFIG_GO,
        line: v61.line,
        fact: `chosen by release: ${rel(v61.groups[0])} or later (unless --force-small-progs)`,
      },
    ],
  },
  time_ns: {
    probe: null,
    title: 'time namespaces',
    minKernel: x86(timeNs.groups[0]),
    condition: 'version',
    sources: [
      { file: SELECTORS_MD, line: timeNs.line, fact: `Time and TimeForChildren exist from ${timeNs.groups[0]}` },
    ],
  },
};
// The other probes the agent runs: listed so a declared target can name any `tetra probe` line.
for (const p of probeList) {
  if (Object.values(features).some((f) => f.probe === p.name)) continue;
  features[p.name] = {
    probe: p.name,
    title: `\`${p.name}\` (probed by the agent; no policy element needs it)`,
    minKernel: null,
    condition: 'probe',
    sources: [probeSource],
  };
}

// ---------------------------------------------------------------------------------------------
// Gates: a policy element, what it needs, and what the agent does without it.
//   effect: rejected — the agent refuses the policy; inert — it loads, the element does nothing;
//           reduced — it loads with less (a limit, a fallback).

const largeProgsAnchorKprobe = /^func addKprobe\(/m;
const gates = {
  'hook-fentry': {
    needs: { all: ['fentry'] },
    effect: 'rejected',
    sources: [
      src(CONFIG_GO, /^func GenericTracingObjs\(\)/m, 'fentries load tracing programs, which need BPF trampolines'),
    ],
  },
  'hook-lsm': {
    needs: { all: ['lsm', 'large_progs'] },
    effect: 'rejected',
    sources: [
      src(
        LSM_GO,
        /if !bpf\.HasLSMPrograms\(\) \|\| !config\.EnableLargeProgs\(\)/,
        'LSM hooks are refused without BPF LSM and large programs',
      ),
    ],
  },
  'hook-usdt': {
    needs: { all: ['large_progs'] },
    effect: 'rejected',
    sources: [
      src(
        CONFIG_GO,
        /return "bpf_generic_usdt_v53\.o"/,
        'the smallest USDT program is the 5.3 (large programs) variant',
      ),
    ],
  },
  'action-sigkill-kprobe': {
    needs: { all: ['large_progs'] },
    effect: 'rejected',
    sources: [
      src(
        KPROBE_GO,
        /if selectors\.HasSigkillAction\(f\) && !config\.EnableLargeProgs\(\)/,
        'Sigkill on kprobes and fentries is refused without large programs',
      ),
    ],
  },
  'action-signal': {
    needs: { all: ['large_progs'] },
    effect: 'inert',
    sources: [
      src(
        BASIC_H,
        /^#define do_action_signal\(signal\)$/m,
        'without large programs the signal action compiles to nothing',
      ),
    ],
  },
  'action-override-syscall': {
    needs: { all: ['override_return'] },
    effect: 'rejected',
    sources: [
      src(
        KPROBE_GO,
        /\} else if f\.Syscall \{\s*if !bpf\.HasOverrideHelper\(\)/,
        'Override on a syscall kprobe is refused without the override helper',
      ),
    ],
  },
  'action-override-security': {
    needs: { all: ['fmodret'] },
    effect: 'rejected',
    sources: [
      src(
        KPROBE_GO,
        /if isSecurityFunc \{\s*\/\/ LSM functions\s*if !bpf\.HasModifyReturn\(\)/,
        'Override on a security_ kprobe is refused without fmod_ret',
      ),
    ],
  },
  'action-override-security-multi': {
    needs: { not: 'kprobe_multi' },
    effect: 'rejected',
    unlessOption: 'disable-kprobe-multi',
    arches: ['x86_64'],
    sources: [
      src(KPROBE_GO, /if useMulti \{\s*return fmt\.Errorf/, 'Override on a security_ function cannot use kprobe.multi'),
      src(
        KPROBE_GO,
        /if isArm\(\) && \(has\.enforcer \|\| has\.override\) \{/,
        'on arm64 the agent drops kprobe.multi for such policies itself',
      ),
      src(
        KPROBE_GO,
        /useMulti = !option\.Config\.DisableKprobeMulti && bpf\.HasKprobeMulti\(\)/,
        'elsewhere kprobe.multi is used whenever it is there, unless the policy option or the agent flag disables it',
      ),
    ],
  },
  'action-override-uprobe': {
    needs: { all: ['uprobe_regs_change'] },
    effect: 'rejected',
    sources: [
      src(
        UPROBE_GO,
        /if !bpf\.HasUprobeRegsChange\(\)/,
        'Override on an uprobe is refused when programs cannot write registers',
      ),
    ],
  },
  'enforcer-syscall': {
    needs: { all: ['signal', { any: ['override_return', 'fmodret_syscall'] }] },
    effect: 'rejected',
    sources: [
      src(ENFORCER_GO, /if !bpf\.HasSignalHelper\(\)/, 'the enforcer needs the signal helper'),
      src(
        ENFORCER_GO,
        /if bpf\.HasOverrideHelper\(\) \{\s*overrideMethod = OverrideMethodReturn\s*\} else if bpf\.HasModifyReturnSyscall\(\)/,
        'then the override helper, or else fmod_ret on syscalls',
      ),
    ],
  },
  'enforcer-security': {
    needs: { all: ['signal', 'fmodret'] },
    effect: 'rejected',
    sources: [
      src(
        ENFORCER_GO,
        /if hasSecurity && overrideMethod != OverrideMethodFmodRet \{/,
        'security_ functions are enforced with fmod_ret only',
      ),
    ],
  },
  'action-tracksock': {
    needs: { all: ['large_progs'] },
    effect: 'inert',
    sources: [
      src(
        BASIC_H,
        /^#else\s*\nFUNC_INLINE int\s*\ntracksock\(/m,
        'without large programs socket tracking does nothing',
      ),
    ],
  },
  'return-arg-action': {
    needs: { all: ['large_progs'] },
    effect: 'rejected',
    sources: [
      src(
        KPROBE_GO,
        /if len\(f\.ReturnArgAction\) > 0 \{\s*if !config\.EnableLargeProgs\(\)/,
        'returnArgAction is refused without large programs',
      ),
    ],
  },
  'action-post-ratelimit': {
    needs: { all: ['large_progs'] },
    effect: 'inert',
    sources: [
      src(
        CALLS_H,
        /#ifdef __LARGE_BPF_PROG\s*\n\s*if \(rate_limit\(ratelimit_interval/,
        'without large programs rateLimit is not applied: every match is posted',
      ),
    ],
  },
  'action-post-imahash': {
    needs: { all: ['v511'] },
    effect: 'inert',
    sources: [
      src(
        CALLS_H,
        /#ifdef __V511_BPF_PROG\s*\n\s*__u32 ima_hash = actions->act/,
        'imaHash is read only by the 5.11 variants',
      ),
    ],
  },
  'operator-gt-lt': {
    needs: { all: ['large_progs'] },
    effect: 'rejected',
    sources: [
      src(
        KERNEL_GO,
        /case SelectorOpGT, SelectorOpLT, SelectorOpCapabilitiesGained:\s*if !config\.EnableLargeProgs\(\)/,
        'GT/LT (GreaterThan/LessThan) and CapabilitiesGained are refused without large programs',
      ),
    ],
  },
  'binaries-prefix-postfix': {
    needs: { all: ['large_progs'] },
    effect: 'rejected',
    sources: [
      src(
        KERNEL_GO,
        /case SelectorOpPrefix, SelectorOpNotPrefix:\s*if !config\.EnableLargeProgs\(\)/,
        'Prefix/Postfix (and Not) in matchBinaries are refused without large programs',
        /^func ParseMatchBinary\(/m,
      ),
    ],
  },
  'parent-binaries': {
    needs: { all: ['large_progs'] },
    effect: 'inert',
    sources: [
      src(
        PFILTER_H,
        /if \(CONFIG\(PARENTS_MAP_ENABLED\)\) \{/,
        'matchParentBinaries is checked only by large programs, and only with the agent flag --parents-map-enabled',
      ),
    ],
  },
  'operator-substring-uprobe': {
    needs: { all: ['substring_kfunc'] },
    effect: 'rejected',
    sources: [
      src(UPROBE_GO, /if !bpf\.HasKfunc\("bpf_strnstr"\)/, 'SubString on uprobes is refused without the kfunc'),
    ],
  },
  'operator-substring-igncase-uprobe': {
    needs: { all: ['strncasestr_kfunc'] },
    effect: 'rejected',
    sources: [
      src(
        UPROBE_GO,
        /if !bpf\.HasKfunc\("bpf_strncasestr"\)/,
        'SubStringIgnCase on uprobes is refused without the kfunc',
      ),
    ],
  },
  'operator-substring': {
    needs: { all: ['large_progs', 'substring_kfunc'] },
    effect: 'inert',
    sources: [
      src(
        BASIC_H,
        /case op_substring:\s*\n\s*if \(bpf_ksym_exists\(bpf_strnstr\)\)/,
        'elsewhere the policy loads, but without the kfunc SubString never matches',
      ),
    ],
  },
  'operator-substring-igncase': {
    needs: { all: ['large_progs', 'strncasestr_kfunc'] },
    effect: 'inert',
    sources: [
      src(
        BASIC_H,
        /case op_substring_igncase:\s*\n\s*if \(bpf_ksym_exists\(bpf_strncasestr\)\)/,
        'elsewhere the policy loads, but without the kfunc SubStringIgnCase never matches',
      ),
    ],
  },
  'args-small-int-types': {
    needs: { all: ['large_progs'] },
    effect: 'rejected',
    sources: [
      src(
        KERNEL_GO,
        /if \(ty == gt\.GenericS16Type \|\| ty == gt\.GenericS8Type\) && !config\.EnableLargeProgs\(\)/,
        'matching int8/int16/uint8/uint16 values is refused without large programs',
      ),
    ],
  },
  'args-filter-count': {
    needs: { all: ['large_progs'] },
    effect: 'rejected',
    sources: [
      src(
        KERNEL_GO,
        /maxArgs := 1\s*\n\s*if config\.EnableLargeProgs\(\) \{\s*\n\s*maxArgs = 5/,
        'more than one matchArgs/matchData filter per selector is refused without large programs',
      ),
    ],
  },
  'namespaces-count': {
    needs: { all: ['large_progs'] },
    effect: 'rejected',
    sources: [
      src(
        KERNEL_GO,
        /maxNActions := 4[^\n]*\n\s*if config\.EnableLargeProgs\(\) \{/,
        'more than 4 matchNamespaces filters are refused without large programs',
      ),
    ],
  },
  'namespace-changes': {
    needs: { all: ['large_progs'] },
    effect: 'rejected',
    sources: [
      src(
        KERNEL_GO,
        /if \(len\(actions\) == 1\) && !config\.EnableLargeProgs\(\)/,
        'matchNamespaceChanges is refused without large programs',
      ),
    ],
  },
  'namespaces-time': {
    needs: { all: ['time_ns'] },
    effect: 'inert',
    sources: [
      {
        file: SELECTORS_MD,
        line: timeNs.line,
        fact: 'without time namespaces the Time filters compare against nothing',
      },
    ],
  },
  'args-resolve': {
    needs: { all: ['large'] },
    effect: 'rejected',
    sources: [
      src(
        KPROBE_GO,
        /\} else if a\.Resolve != "" && j < api\.EventConfigMaxArgs \{\s*if !bpf\.HasProgramLargeSize\(\)/,
        'resolve on kprobes is refused without large programs',
      ),
      src(
        LSM_GO,
        /if a\.Resolve != "" && j < api\.EventConfigMaxArgs \{\s*if !bpf\.HasProgramLargeSize\(\)/,
        'and on LSM hooks',
      ),
      src(TP_GO, /if tpArg\.Resolve != "" \{\s*if !bpf\.HasProgramLargeSize\(\)/, 'and on tracepoints'),
    ],
  },
  'args-maxdata': {
    needs: { all: ['large_progs'] },
    effect: 'reduced',
    sources: [
      src(
        KPROBE_GO,
        /if !config\.EnableLargeProgs\(\) \{\s*logger\.GetLogger\(\)\.Warn\("maxData flag is ignored/,
        'maxData is ignored without large programs',
        largeProgsAnchorKprobe,
      ),
    ],
  },
  'args-user-string': {
    needs: { all: ['copy_from_user_str'] },
    effect: 'rejected',
    sources: [
      src(
        UPROBE_GO,
        /if argType == gt\.GenericStringType \{\s*if !bpf\.HasKfunc\("bpf_copy_from_user_str"\)/,
        'string arguments of uprobes are refused without the kfunc',
      ),
      src(
        USDT_GO,
        /if argType == gt\.GenericStringType \{\s*if !bpf\.HasKfunc\("bpf_copy_from_user_str"\)/,
        'and of USDT probes',
      ),
    ],
  },
};

// ---------------------------------------------------------------------------------------------
// Limits that change with the kernel, and fixed ones the dry run and the rules share.

const maxStringMaps = goConst(SELECTORS_GO, 'MaxStringMapsSize');
const size7a = goConst(SELECTORS_GO, 'StringMapSize7a');
const size5 = goConst(SELECTORS_GO, 'stringMapSize5');
const lenCheck = (re) => find(SELECTORS_GO, re, /^func ArgStringSelectorValue\(/m);
lenCheck(/if s > MaxStringMapsSize-2 \{/);
lenCheck(/if s > StringMapSize7a-2 \{/);
lenCheck(/if s > stringMapSize5-1 \{/);
const maxActions = find(BASIC_H, /^#define MAX_ACTIONS (\d+)/m);
const keyBytes = find(RATELIMIT_H, /^#define KEY_BYTES_PER_ARG (\d+)/m);
const maxArgsSmall = find(KERNEL_GO, /maxArgs := (\d+)/);
const maxArgsLarge = find(KERNEL_GO, /maxArgs = (\d+) \/\//);
const nsSmall = find(KERNEL_GO, /maxNActions := (\d+)/);
const nsLarge = find(KERNEL_GO, /maxNActions = (\d+)/);
const limits = {
  stringValueBytes: {
    steps: [
      { minKernel: rel(stringV511.groups[0]), max: maxStringMaps - 2 },
      { minKernel: rel(stringV54.groups[0]), max: size7a - 2 },
      { minKernel: null, max: size5 - 1 },
    ],
    effect: 'rejected',
    sources: [
      src(
        SELECTORS_GO,
        /^func ArgStringSelectorValue\(/m,
        'Equal/NotEqual string values longer than the limit of the running kernel are refused',
      ),
    ],
  },
  argFilters: {
    largeProgs: Number(maxArgsLarge.groups[0]),
    otherwise: Number(maxArgsSmall.groups[0]),
    sources: [{ file: KERNEL_GO, line: maxArgsSmall.line, fact: 'matchArgs + matchData filters per selector' }],
  },
  namespaceFilters: {
    largeProgs: Number(nsLarge.groups[0]),
    otherwise: Number(nsSmall.groups[0]),
    sources: [{ file: KERNEL_GO, line: nsSmall.line, fact: 'matchNamespaces filters per selector' }],
  },
  actionsPerSelector: {
    max: Number(maxActions.groups[0]),
    sources: [
      { file: BASIC_H, line: maxActions.line, fact: 'the BPF program runs at most this many actions of a selector' },
    ],
  },
  rateLimitKeyBytesPerArg: {
    max: Number(keyBytes.groups[0]),
    sources: [{ file: RATELIMIT_H, line: keyBytes.line, fact: 'rateLimit compares this many bytes of each argument' }],
  },
};

const options = {
  'disable-kprobe-multi': src(
    OPTIONS_GO,
    /option\.KeyDisableKprobeMulti: \{/,
    'a policy option (true/false) that keeps the policy off kprobe.multi',
  ),
  'override-method': src(
    OPTIONS_GO,
    /keyOverrideMethod = "override-method"/,
    'a policy option: override-return or fmod-ret for the enforcer',
  ),
  'policy-mode': src(
    OPTIONS_GO,
    /keyPolicyMode\s*= "policy-mode"/,
    'a policy option: enforce (default) or monitor, where enforcing actions are counted but not performed',
  ),
};

const out = {
  source: { repository: 'cilium/tetragon', commit, describe, committed },
  floor: {
    kernel: floor.groups[0],
    source: { file: FAQ, line: floor.line, fact: 'the oldest kernel the agent supports' },
  },
  probeCommand: 'tetra probe',
  features,
  gates,
  limits,
  options,
};
fs.writeFileSync(OUT, `${JSON.stringify(out, null, 1)}\n`);
const count = (o) => Object.keys(o).length;
console.log(
  `${path.relative(ROOT, OUT)}: ${count(features)} features, ${count(gates)} gates, ${count(limits)} limits from cilium/tetragon ${describe} (${committed})`,
);
