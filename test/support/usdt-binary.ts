// SPDX-License-Identifier: Apache-2.0
/**
 * A real binary with USDT probes for the tests: `test/fixtures/usdt/probes.c` compiled with gcc
 * and `<sys/sdt.h>` (Debian's systemtap-sdt-dev) into a fresh folder laid out like a node's root
 * file system, so a policy naming `/usr/local/bin/shop` finds it below that folder.
 *
 * Without gcc or the header the tests that need the binary are skipped with {@link USDT_SKIP};
 * `.ci/run` installs both and sets `CILIUM_POLICY_REQUIRE_USDT=1`, which turns a missing
 * toolchain into a failure instead.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from './paths.js';
import { classifyOperand, type BinaryLookup } from '../../server/src/core/elf.js';
import type { ExampleBinary } from '../../server/src/lint/rule.js';

/** The path policies name; the binary is at `<root>/usr/local/bin/shop`. */
export const SHOP_PATH = '/usr/local/bin/shop';

export interface UsdtFixture {
  /** The folder standing for the node's `/`. */
  readonly root: string;
  /** The compiled binary. */
  readonly binary: string;
}

let built: UsdtFixture | string | undefined;

/** Builds the fixture once per process; a string says why it could not be built. */
export function usdtFixture(): UsdtFixture | string {
  if (built !== undefined) return built;
  const source = path.join(REPO_ROOT, 'test/fixtures/usdt/probes.c');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-usdt-'));
  const binary = path.join(root, SHOP_PATH);
  fs.mkdirSync(path.dirname(binary), { recursive: true });
  const cc = spawnSync('gcc', ['-O2', '-o', binary, source], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) {
    const why = cc.error
      ? `gcc not available (${cc.error.message})`
      : `gcc failed: ${cc.stderr.trim().split('\n').slice(0, 3).join(' ')}`;
    built = `USDT fixture not built (${why}); install gcc and systemtap-sdt-dev to run the USDT binary tests`;
    if (process.env['CILIUM_POLICY_REQUIRE_USDT'] === '1') throw new Error(built);
    return built;
  }
  process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  built = { root, binary };
  return built;
}

/** Builds of the fixture for another target than the host's, by name. */
const variants = new Map<string, UsdtFixture | string>();

/**
 * The same program built by another compiler for another target: `<sys/sdt.h>` has no
 * architecture-specific part, so the host's copy is handed to that compiler. A string says why
 * it could not be built (`packages` says what to install); CILIUM_POLICY_REQUIRE_USDT=1 turns
 * that into a failure.
 */
function variant(name: string, compiler: string, flags: readonly string[], packages: string): UsdtFixture | string {
  const known = variants.get(name);
  if (known !== undefined) return known;
  const fail = (why: string): string => {
    const reason = `${name} USDT fixture not built (${why}); install ${packages} and systemtap-sdt-dev to run the ${name} tests`;
    variants.set(name, reason);
    if (process.env['CILIUM_POLICY_REQUIRE_USDT'] === '1') throw new Error(reason);
    return reason;
  };
  // Where the host compiler finds <sys/sdt.h>: the preprocessor's line markers name the file.
  const pre = spawnSync('gcc', ['-E', '-x', 'c', '-'], { input: '#include <sys/sdt.h>\n', encoding: 'utf8' });
  const header = pre.status === 0 ? /^# \d+ "([^"]*\/sys\/sdt\.h)"/m.exec(pre.stdout)?.[1] : undefined;
  if (!header) return fail('<sys/sdt.h> not found');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `cilium-policy-usdt-${name}-`));
  process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  const include = path.join(root, 'include');
  fs.mkdirSync(path.join(include, 'sys'), { recursive: true });
  for (const f of fs.readdirSync(path.dirname(header)).filter((n) => n.startsWith('sdt')))
    fs.copyFileSync(path.join(path.dirname(header), f), path.join(include, 'sys', f));
  const binary = path.join(root, SHOP_PATH);
  fs.mkdirSync(path.dirname(binary), { recursive: true });
  const cc = spawnSync(
    compiler,
    [...flags, '-O2', '-I', include, '-o', binary, path.join(REPO_ROOT, 'test/fixtures/usdt/probes.c')],
    { encoding: 'utf8' },
  );
  if (cc.error) return fail(`${compiler} not available (${cc.error.message})`);
  if (cc.status !== 0)
    return fail(`${compiler} ${flags.join(' ')} failed: ${cc.stderr.trim().split('\n').slice(0, 3).join(' ')}`);
  const built = { root, binary };
  variants.set(name, built);
  return built;
}

/** The fixture cross-compiled for arm64 (Debian's gcc-aarch64-linux-gnu). */
export function usdtFixtureArm64(): UsdtFixture | string {
  return variant('arm64', 'aarch64-linux-gnu-gcc', [], 'gcc-aarch64-linux-gnu and libc6-dev-arm64-cross');
}

/** The skip reason for the arm64 fixture, or false when it is there. */
export function usdtArm64Skip(): string | false {
  const f = usdtFixtureArm64();
  return typeof f === 'string' ? f : false;
}

/**
 * The fixture built as a 32-bit x86 program: an ELF32 file. Debian's i686 cross compiler rather
 * than `gcc -m32`, whose gcc-multilib cannot be installed beside the arm64 cross compiler.
 */
export function usdtFixtureI386(): UsdtFixture | string {
  return variant('i386', 'i686-linux-gnu-gcc', [], 'gcc-i686-linux-gnu and libc6-dev-i386-cross');
}

/** The skip reason for the 32-bit fixture, or false when it is there. */
export function usdtI386Skip(): string | false {
  const f = usdtFixtureI386();
  return typeof f === 'string' ? f : false;
}

/** The skip reason for `test(…, { skip })`, or false when the fixture is there. */
export function usdtSkip(): string | false {
  const f = usdtFixture();
  return typeof f === 'string' ? f : false;
}

/** The fixture, for tests that were not skipped. */
export function requireUsdtFixture(): UsdtFixture {
  const f = usdtFixture();
  if (typeof f === 'string') throw new Error(f);
  return f;
}

/**
 * The probes of a binary as `readelf -n` prints them (an independent reading of the SDT notes),
 * or undefined when readelf is not available.
 */
export function readelfProbes(file: string): { provider: string; name: string; args: string }[] | undefined {
  const r = spawnSync('readelf', ['-n', '--wide', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error || r.status !== 0) return undefined;
  const out: { provider: string; name: string; args: string }[] = [];
  let cur: { provider?: string; name?: string } = {};
  for (const line of r.stdout.split('\n')) {
    // With --wide, `Provider:` follows the note's owner on the same line.
    const m = /(?:^|\s)(Provider|Name|Arguments):\s?(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'Provider') cur = { provider: m[2]!.trim() };
    else if (m[1] === 'Name') cur.name = m[2]!.trim();
    else out.push({ provider: cur.provider ?? '', name: cur.name ?? '', args: m[2]!.trim() });
  }
  return out;
}

/**
 * A lookup that knows one binary from its description (a rule's documented example binary): the
 * operands are sorted by the same code that sorts a real binary's.
 */
export function describedBinaries(b: ExampleBinary): BinaryLookup {
  const info = {
    machine: b.machine,
    machineCode: b.machine === 'x86_64' ? 62 : 183,
    probes: b.probes.map((p) => ({
      provider: p.provider,
      name: p.name,
      semaphore: false,
      operands: p.operands.map((o) => classifyOperand(o, b.machine)),
    })),
  };
  const functions = {
    machine: b.machine,
    defined: new Set(b.functions ?? []),
    imported: new Set<string>(),
    hasSymtab: true,
  };
  return {
    usdt: (p) => (p === b.path ? { file: p, info } : undefined),
    functions: (p) => (p === b.path ? { file: p, functions } : undefined),
  };
}

/**
 * An operand of a probe of a fixture as `readelf -n` prints it (the compiler picks the exact
 * location, e.g. `-8@8(%rsp)`, so tests read it rather than hard-code it).
 */
export function fixtureOperand(binary: string, name: string, index: number, place = 0): string {
  const probe = readelfProbes(binary)?.filter((p) => p.name === name)[place];
  if (!probe) throw new Error(`readelf lists no probe ${name} in ${binary}`);
  // Blanks separate operands except inside brackets (`-4@[sp, 12]` on arm64).
  const operands = probe.args.match(/(?:\[[^\]]*\]|\S)+/g) ?? [];
  const op = operands[index];
  if (op === undefined) throw new Error(`${name} has no operand ${index}: ${probe.args}`);
  return op;
}
