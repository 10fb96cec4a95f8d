// SPDX-License-Identifier: Apache-2.0
/**
 * Entry point of `dist/server.js` and the `cilium-policy-language-server` command. The transport
 * (`--stdio`, `--node-ipc`, `--socket=<port>`) is read from argv by `createConnection`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './lsp/server.js';

const NAME = 'cilium-policy-language-server';

/** The package version, read from the nearest package.json (beside `dist/` or the repository root). */
function packageVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'package.json');
    try {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'cilium-policy' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here; look further up
    }
    dir = path.dirname(dir);
  }
  return '0.0.0';
}

const HELP = `Usage: ${NAME} --stdio | --node-ipc | --socket=<port>

Language server for Cilium network policies, Cilium Envoy configs and Tetragon tracing
policies (LSP 3.17). Start it from your editor; it reads settings from the \`ciliumPolicy\`
configuration section.

Options:
  --stdio          talk LSP over stdin/stdout
  --node-ipc       talk LSP over a Node IPC channel (when spawned by a Node client)
  --socket=<port>  talk LSP over a TCP socket on localhost that the client listens on
  --version        print the version and exit
  --help           print this help and exit
`;

const args = process.argv.slice(2);
if (args.includes('--version') || args.includes('-v')) {
  process.stdout.write(`${NAME} ${packageVersion()}\n`);
} else if (
  args.includes('--help') ||
  args.includes('-h') ||
  !args.some((a) => /^--(stdio|node-ipc|socket|pipe|clientProcessId)/.test(a))
) {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
  } else {
    // Started without a transport: a usage error, not a request for help.
    process.stderr.write(HELP);
    process.exitCode = 2;
  }
} else {
  const connection = createConnection(ProposedFeatures.all);
  startServer(connection, { info: { name: NAME, version: packageVersion() } });
}
