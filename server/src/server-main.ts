// SPDX-License-Identifier: Apache-2.0
/**
 * Entry point of `dist/server.js` and the `cilium-policy-language-server` command. The transport
 * (`--stdio`, `--node-ipc`, `--socket=<port>`) is read from argv by `createConnection`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import {
  createConnection,
  createServerPipeTransport,
  createServerSocketTransport,
  IPCMessageReader,
  IPCMessageWriter,
  ProposedFeatures,
  StreamMessageReader,
  StreamMessageWriter,
  type Connection,
  type MessageReader,
  type MessageWriter,
} from 'vscode-languageserver/node';
import { EditCoalescer } from './lsp/edit-coalescer.js';
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

/**
 * The transport the command line names, read as vscode-languageserver reads it (`--stdio`,
 * `--node-ipc`, `--socket=<port>`, `--pipe=<name>`). The server builds the reader itself so that
 * it can put the edit coalescer in front of the connection.
 */
function transport(argv: readonly string[]): { reader: MessageReader; writer: MessageWriter; stdio: boolean } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, value = argv[i + 1]] = arg.split('=');
    if (arg === '--stdio')
      return {
        reader: new StreamMessageReader(process.stdin),
        writer: new StreamMessageWriter(process.stdout),
        stdio: true,
      };
    if (arg === '--node-ipc')
      return { reader: new IPCMessageReader(process), writer: new IPCMessageWriter(process), stdio: false };
    if (name === '--socket') {
      const [reader, writer] = createServerSocketTransport(Number.parseInt(value ?? '', 10));
      return { reader, writer, stdio: false };
    }
    if (name === '--pipe') {
      const [reader, writer] = createServerPipeTransport(value ?? '');
      return { reader, writer, stdio: false };
    }
  }
  throw new Error(`${NAME}: no transport; use --stdio, --node-ipc, --socket=<port> or --pipe=<name>`);
}

/** Sends `console.*` output to the client's log (as the language server library does for stdio). */
function redirectConsole(connection: Connection): void {
  const to =
    (send: (message: string) => void) =>
    (...values: unknown[]): void =>
      send(format(...values));
  console.log = to((m) => connection.console.log(m));
  console.info = to((m) => connection.console.info(m));
  console.debug = to((m) => connection.console.log(m));
  console.trace = to((m) => connection.console.log(m));
  console.dir = to((m) => connection.console.log(m));
  console.table = to((m) => connection.console.log(m));
  console.warn = to((m) => connection.console.warn(m));
  console.error = to((m) => connection.console.error(m));
}

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
  const { reader, writer, stdio } = transport(args);
  // Edits that arrive behind each other are merged before the connection queues them.
  const input = new EditCoalescer(reader);
  const connection = createConnection(ProposedFeatures.all, input, writer, { messageStrategy: input });
  if (stdio) {
    // stdout carries the protocol: anything a library prints goes to the client's log instead.
    redirectConsole(connection);
    // The client closed the pipe without `exit`.
    const end = (): void => process.exit(input.shutdownRequested ? 0 : 1);
    process.stdin.on('end', end);
    process.stdin.on('close', end);
  }
  startServer(connection, { info: { name: NAME, version: packageVersion() }, input });
}
