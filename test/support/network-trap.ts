// SPDX-License-Identifier: Apache-2.0
/**
 * Loaded with `node --require out/test/support/network-trap.js …`: replaces every way a Node
 * process opens a network connection or resolves a name with a function that records the attempt
 * (one JSON line appended to the file named by `CILIUM_POLICY_NET_TRAP_LOG`) and throws. The
 * network test runs the language server under this trap and expects the log to stay empty.
 *
 * Sockets a process is handed by file descriptor (stdin/stdout pipes) are not connections and are
 * not affected.
 */
// `import x = require()` binds the real module objects; `import * as` would give copies whose
// patched properties nobody else sees.
import dns = require('node:dns');
import fs = require('node:fs');
import http = require('node:http');
import https = require('node:https');
import net = require('node:net');
import tls = require('node:tls');

/** Environment variable naming the log file. */
export const TRAP_LOG_ENV = 'CILIUM_POLICY_NET_TRAP_LOG';

/** One recorded attempt. */
export interface TrapRecord {
  readonly api: string;
  readonly target: string;
}

const logFile = process.env[TRAP_LOG_ENV];

function describeTarget(args: readonly unknown[]): string {
  try {
    return args
      .filter((a) => typeof a !== 'function')
      .map((a) =>
        typeof a === 'object' && a !== null
          ? JSON.stringify(a, (_k, v: unknown) => (typeof v === 'function' ? undefined : v))
          : String(a),
      )
      .join(' ')
      .slice(0, 300);
  } catch {
    return '(unprintable)';
  }
}

function record(api: string, args: readonly unknown[]): never {
  const entry: TrapRecord = { api, target: describeTarget(args) };
  if (logFile) {
    try {
      fs.appendFileSync(logFile, JSON.stringify(entry) + '\n');
    } catch {
      // the test will notice the missing line
    }
  }
  throw new Error(`network-trap: ${api} is not allowed (${entry.target})`);
}

/** Replaces `obj[name]` with a recording thrower, when it exists and can be replaced. */
function trap(obj: object, name: string, api: string): void {
  try {
    Object.defineProperty(obj, name, {
      configurable: true,
      writable: true,
      value: function trapped(...args: unknown[]) {
        return record(api, args);
      },
    });
  } catch {
    // a frozen property cannot be trapped; nothing in Node core is frozen today
  }
}

trap(net.Socket.prototype, 'connect', 'net.Socket.prototype.connect');
trap(net, 'connect', 'net.connect');
trap(net, 'createConnection', 'net.createConnection');
trap(tls, 'connect', 'tls.connect');
for (const name of [
  'lookup',
  'lookupService',
  'resolve',
  'resolve4',
  'resolve6',
  'resolveAny',
  'resolveCname',
  'resolveTxt',
  'resolveSrv',
  'reverse',
]) {
  trap(dns, name, `dns.${name}`);
  trap(dns.promises, name, `dns.promises.${name}`);
}
trap(http, 'request', 'http.request');
trap(http, 'get', 'http.get');
trap(https, 'request', 'https.request');
trap(https, 'get', 'https.get');
trap(globalThis, 'fetch', 'fetch');
