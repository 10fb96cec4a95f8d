#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
/**
 * Regenerates the kernel facts the Tetragon rules rely on (server/src/core/kernel/*.json) from
 * Debian's kernel header packages. Run by hand, never at install or test time; commit the output.
 *
 * Inputs (Debian 12 package names; see docs/kernel-data.md for a newer kernel):
 *   linux-libc-dev               /usr/include/x86_64-linux-gnu/asm/unistd_64.h    x86_64 syscall numbers
 *   linux-libc-dev-arm64-cross   /usr/aarch64-linux-gnu/include/asm/unistd.h      arm64 numbers and entry points
 *                                (the generic table; expanded with `cpp`, package `cpp`)
 *   linux-headers-<ver>-common   include/linux/syscalls.h        syscall prototypes (asmlinkage long sys_*)
 *                                include/linux/lsm_hook_defs.h   LSM hooks and their arguments
 *                                include/trace/events/*.h        tracepoint names per subsystem
 *                                a few other headers             prototypes of common kprobe targets
 *
 *   apt-get install linux-libc-dev linux-libc-dev-arm64-cross linux-headers-6.1.0-56-common cpp
 *   node scripts/gen-kernel-data.mjs [--headers /usr/src/linux-headers-6.1.0-56-common]
 *
 * Output is deterministic (sorted keys) so a regeneration diff shows only real kernel changes.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'server/src/core/kernel');

function arg(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** The newest installed linux-headers-*-common, unless one is named. */
function headersDir() {
  const given = arg('--headers');
  if (given) return given;
  const found = fs
    .readdirSync('/usr/src')
    .filter((d) => /^linux-headers-.*-common$/.test(d))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (!found.length)
    throw new Error('no /usr/src/linux-headers-*-common: apt-get install linux-headers-<version>-common');
  return path.join('/usr/src', found[found.length - 1]);
}

function dpkgVersion(pkg) {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const HEADERS = headersDir();
const X86_UNISTD = '/usr/include/x86_64-linux-gnu/asm/unistd_64.h';
const ARM64_INCLUDE = '/usr/aarch64-linux-gnu/include';

/** Comments removed, preprocessor lines kept (callers decide), whitespace normalised later. */
function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, '');
}

/** One C parameter, whitespace-normalised, `*` attached to the name: `char __user *buf`. */
function normParam(p) {
  return p
    .replace(/\s+/g, ' ')
    .replace(/\s*\*\s*/g, ' *')
    .replace(/\* \*/g, '**')
    .trim();
}

function params(list) {
  const t = list.replace(/\s+/g, ' ').trim();
  if (t === '' || t === 'void') return [];
  return t.split(',').map(normParam);
}

// ---------------------------------------------------------------------------------------------
// Syscall prototypes

/** `name → params` for every `asmlinkage long sys_name(...)`; the last declaration wins (the generic #else branch). */
function syscallPrototypes() {
  const text = stripComments(fs.readFileSync(path.join(HEADERS, 'include/linux/syscalls.h'), 'utf8'));
  const out = new Map();
  for (const m of text.matchAll(/asmlinkage\s+long\s+sys_(\w+)\s*\(([^)]*)\)\s*;/g)) out.set(m[1], params(m[2]));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Syscall tables

/**
 * On x86_64 a few syscalls enter the kernel through a differently named function (the kprobe
 * symbol follows the function, not the table name), and some numbers are reserved without an
 * implementation. unistd_64.h does not say so; the kernel's syscall_64.tbl does, but it is not
 * shipped in any header package, hence this short hand-kept table (checked against Linux 6.1).
 */
const X86_ENTRY_RENAMES = {
  stat: 'newstat',
  fstat: 'newfstat',
  lstat: 'newlstat',
  uname: 'newuname',
  umount2: 'umount',
  sendfile: 'sendfile64',
};
const X86_UNIMPLEMENTED = new Set([
  '_sysctl',
  'afs_syscall',
  'create_module',
  'epoll_ctl_old',
  'epoll_wait_old',
  'get_kernel_syms',
  'get_thread_area',
  'getpmsg',
  'nfsservctl',
  'putpmsg',
  'query_module',
  'security',
  'set_thread_area',
  'tuxcall',
  'uselib',
  'vserver',
]);

function x86Table() {
  const text = fs.readFileSync(X86_UNISTD, 'utf8');
  const entries = [];
  for (const m of text.matchAll(/^#define __NR_(\w+)\s+(\d+)\s*$/gm)) {
    const name = m[1];
    if (X86_UNIMPLEMENTED.has(name)) continue;
    entries.push({ nr: Number(m[2]), name, entry: X86_ENTRY_RENAMES[name] ?? name });
  }
  return entries;
}

/**
 * The generic table as arm64 builds it: the header is expanded by the C preprocessor with
 * `__SYSCALL(nr, fn)` turned into a marker line, so the #if logic (64-bit, __ARCH_WANT_*) is the
 * compiler's, not ours. `cpp -dM` gives the number → `__NR_` name mapping.
 */
function arm64Table() {
  const cppArgs = ['-P', '-nostdinc', '-undef', '-D__aarch64__', '-I', ARM64_INCLUDE, '-'];
  const expanded = execFileSync('cpp', cppArgs, {
    input: '#define __SYSCALL(nr, fn) @@SC nr fn @@\n#include <asm/unistd.h>\n',
    encoding: 'utf8',
  });
  const macros = execFileSync('cpp', ['-dM', ...cppArgs], { input: '#include <asm/unistd.h>\n', encoding: 'utf8' });
  const defs = new Map();
  for (const m of macros.matchAll(/^#define (__NR\w*)\s+(.+)$/gm)) defs.set(m[1], m[2].trim());
  const value = (name, depth = 0) => {
    const v = defs.get(name);
    if (v === undefined || depth > 5) return undefined;
    if (/^\d+$/.test(v)) return Number(v);
    return value(v, depth + 1);
  };
  const nameOf = new Map();
  for (const k of defs.keys()) {
    if (!k.startsWith('__NR_') || k === '__NR_syscalls') continue;
    const n = value(k);
    if (n !== undefined && !nameOf.has(n)) nameOf.set(n, k.slice('__NR_'.length));
  }
  const entries = [];
  for (const m of expanded.matchAll(/@@SC\s+\(?\s*(\d+)\s*\)?\s+(\w+)\s*@@/g)) {
    const nr = Number(m[1]);
    const fn = m[2];
    if (fn === 'sys_ni_syscall' || !fn.startsWith('sys_')) continue;
    entries.push({ nr, name: nameOf.get(nr) ?? fn.slice(4), entry: fn.slice(4) });
  }
  return entries;
}

/**
 * `{ entry: [nr, params?] }` keyed by the kernel function name without `sys_` (what a kprobe
 * attaches to), plus `aliases` from table names that differ (`fstat` → `newfstat`).
 */
function syscallData(arch, table, protos, source) {
  const syscalls = {};
  const aliases = {};
  let withSignature = 0;
  for (const e of [...table].sort((a, b) => a.entry.localeCompare(b.entry))) {
    const sig = protos.get(e.entry);
    syscalls[e.entry] = sig ? [e.nr, sig] : [e.nr];
    if (sig) withSignature++;
    if (e.name !== e.entry) aliases[e.name] = e.entry;
  }
  return { data: { arch, source, syscalls, aliases }, count: table.length, withSignature };
}

// ---------------------------------------------------------------------------------------------
// LSM hooks

function lsmHooks() {
  const text = stripComments(fs.readFileSync(path.join(HEADERS, 'include/linux/lsm_hook_defs.h'), 'utf8'));
  const hooks = {};
  for (const m of text.matchAll(/LSM_HOOK\(\s*([^,]+?)\s*,\s*[^,]+?\s*,\s*(\w+)\s*(?:,([^)]*))?\)/g)) {
    hooks[m[2]] = [m[1].replace(/\s+/g, ' ').trim(), ...params(m[3] ?? '')];
  }
  return Object.fromEntries(Object.entries(hooks).sort(([a], [b]) => a.localeCompare(b)));
}

// ---------------------------------------------------------------------------------------------
// Tracepoints

/** Subsystems whose events we list; an event not listed for one of these is flagged. */
const TRACE_FILES = ['sched.h', 'task.h', 'signal.h', 'net.h', 'sock.h', 'tcp.h', 'syscalls.h', 'skb.h', 'module.h'];

function tracepoints(syscallNames) {
  const out = {};
  for (const f of TRACE_FILES) {
    const text = stripComments(fs.readFileSync(path.join(HEADERS, 'include/trace/events', f), 'utf8'));
    const system = /^#define TRACE_SYSTEM\s+(\w+)/m.exec(text)?.[1];
    if (!system) throw new Error(`${f}: no TRACE_SYSTEM`);
    const events = new Set(out[system] ?? []);
    // TRACE_EVENT(name, ...), TRACE_EVENT_FN(name, ...), TRACE_EVENT_CONDITION(name, ...)
    for (const m of text.matchAll(/\bTRACE_EVENT(?:_FN|_CONDITION|_FN_COND)?\(\s*(\w+)\s*,/g)) events.add(m[1]);
    // DEFINE_EVENT(template, name, ...) and variants; DECLARE_TRACE makes no trace event and is skipped.
    for (const m of text.matchAll(/\bDEFINE_EVENT(?:_FN|_CONDITION|_PRINT)?\(\s*\w+\s*,\s*(\w+)\s*,/g))
      events.add(m[1]);
    out[system] = [...events].sort();
  }
  // The syscalls subsystem is generated: one enter/exit pair per syscall entry function.
  out['syscalls'] = [...syscallNames].sort().flatMap((n) => [`sys_enter_${n}`, `sys_exit_${n}`]);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Every subsystem the kernel's own trace headers declare (`TRACE_SYSTEM`), whose events we do not
 * list: enough to tell a misspelt subsystem from one we simply do not describe. Drivers declare
 * more in their own folders, which the headers package does not ship.
 */
function otherSubsystems(listed) {
  const dir = path.join(HEADERS, 'include/trace/events');
  const names = new Set();
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.h'))) {
    const m = /^#define TRACE_SYSTEM\s+(\w+)/m.exec(stripComments(fs.readFileSync(path.join(dir, f), 'utf8')));
    if (m && !(m[1] in listed)) names.add(m[1]);
  }
  return [...names].sort();
}

// ---------------------------------------------------------------------------------------------
// Kernel functions that policies commonly probe (syscall: false)

const FUNCTION_HEADERS = [
  'include/linux/binfmts.h',
  'include/linux/capability.h',
  'include/linux/cred.h',
  'include/linux/file.h',
  'include/linux/fs.h',
  'include/linux/module.h',
  'include/linux/namei.h',
  'include/linux/netdevice.h',
  'include/linux/security.h',
  'include/linux/skbuff.h',
  'include/linux/syscalls.h',
  'include/linux/user_namespace.h',
  'include/net/inet_connection_sock.h',
  'include/net/ip.h',
  'include/net/sock.h',
  'include/net/tcp.h',
  'include/net/udp.h',
];

/**
 * Out-of-line prototypes at file level (`extern int commit_creds(struct cred *);`). Function
 * bodies (static inline helpers and the !CONFIG stubs) are skipped, and so are parameter lists
 * holding function pointers or varargs, which no Tetragon arg type describes anyway.
 */
function kernelFunctions() {
  const out = {};
  for (const rel of FUNCTION_HEADERS) {
    const text = stripComments(fs.readFileSync(path.join(HEADERS, rel), 'utf8'))
      .replace(/\\\n/g, ' ')
      .replace(/^\s*#[^\n]*$/gm, ' ');
    let depth = 0;
    let stmt = '';
    for (const ch of text) {
      if (ch === '{') {
        if (depth === 0) stmt = '';
        depth++;
      } else if (ch === '}') {
        depth = Math.max(0, depth - 1);
        if (depth === 0) stmt = '';
      } else if (depth === 0) {
        if (ch === ';') {
          take(stmt.replace(/\s+/g, ' ').trim(), out);
          stmt = '';
        } else stmt += ch;
      }
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

function take(s, out) {
  if (/\b(static|typedef|inline|asmlinkage|struct\s+\w+\s*$)\b/.test(s) || /__printf|\.\.\./.test(s)) return;
  // Anchored at the end only: a macro invocation without `;` before the prototype is skipped over.
  const m =
    /(?<![\w(])(?:extern\s+)?((?:const\s+)?(?:unsigned\s+|signed\s+)?(?:struct\s+|union\s+|enum\s+)?\w+(?:\s+\w+)?\s*\**)\s*\b(\w+)\s*\(([^()]*)\)\s*(?:__\w+(?:\(\w*\))?\s*)*$/.exec(
      s,
    );
  if (!m) return;
  const [, ret, name, list] = m;
  if (/^(__|DECLARE|DEFINE|EXPORT)/.test(name) && !/^__(sys|sk|inet|tcp|skb|dev|sock)_/.test(name)) return;
  // Boot-time (__init) code is gone by the time a policy loads.
  if (/\b(return|if|while|sizeof|__init)\b/.test(ret)) return;
  out[name] = [ret.replace(/\s+/g, ' ').replace(/\s*\*/g, ' *').trim(), ...params(list)];
}

// ---------------------------------------------------------------------------------------------

function write(name, data) {
  const file = path.join(OUT, name);
  fs.writeFileSync(file, JSON.stringify(data) + '\n');
  return `${name} ${fs.statSync(file).size} bytes`;
}

const protos = syscallPrototypes();
const kernel = `Linux ${dpkgVersion(path.basename(HEADERS))} (${path.basename(HEADERS)})`;
const x86 = syscallData(
  'x86_64',
  x86Table(),
  protos,
  `${kernel}; numbers: linux-libc-dev ${dpkgVersion('linux-libc-dev')}`,
);
const arm = syscallData(
  'arm64',
  arm64Table(),
  protos,
  `${kernel}; numbers: linux-libc-dev-arm64-cross ${dpkgVersion('linux-libc-dev-arm64-cross')}`,
);
const lsm = lsmHooks();
const tps = tracepoints(new Set([...Object.keys(x86.data.syscalls), ...Object.keys(arm.data.syscalls)]));
const fns = kernelFunctions();

fs.mkdirSync(OUT, { recursive: true });
const report = [
  write('syscalls-x86_64.json', x86.data),
  write('syscalls-arm64.json', arm.data),
  write('lsm-hooks.json', { source: kernel, hooks: lsm }),
  write('tracepoints.json', { source: kernel, subsystems: tps, otherSubsystems: otherSubsystems(tps) }),
  write('kernel-functions.json', { source: kernel, functions: fns }),
];
console.log(report.join('\n'));
console.log(
  `x86_64: ${x86.count} syscalls (${x86.withSignature} with signature); arm64: ${arm.count} (${arm.withSignature} with signature)`,
);
console.log(
  `LSM hooks: ${Object.keys(lsm).length}; tracepoints: ${Object.values(tps).reduce((n, l) => n + l.length, 0)} in ${Object.keys(tps).length} subsystems; kernel functions: ${Object.keys(fns).length}`,
);
