// SPDX-License-Identifier: Apache-2.0
/**
 * The only place the extension runs a program: the user's own `kubectl`, to list contexts and to
 * read workloads for the "live cluster" inventory. The argument lists are built by pure functions
 * from a closed set of requests, so only the read-only `get` verb (and `config get-contexts` /
 * `config current-context`) can ever be produced; the process is started with `execFile` (no
 * shell), a timeout and an output cap. No `vscode` import: the caller checks workspace trust
 * and passes the path it may use (see {@link kubectlCommand}).
 */
import { execFile } from 'node:child_process';

/** What the extension may ask kubectl. Nothing else can be expressed. */
export type KubectlRequest =
  | { readonly op: 'contexts' }
  | { readonly op: 'currentContext' }
  | { readonly op: 'workloads'; readonly context: string }
  | { readonly op: 'ciliumEndpoints'; readonly context: string }
  /** The Nodes, whose `status.nodeInfo` (kernel, architecture) makes the Tetragon kernel targets. */
  | { readonly op: 'nodes'; readonly context: string };

/** The verbs {@link kubectlArgs} can produce: `get` and `config`. */
export const ALLOWED_VERBS: readonly string[] = ['get', 'config'];

/** Resource types read for the inventory: the same as a `kubectl get pods,namespaces,services -A -o json` snapshot. */
export const WORKLOAD_RESOURCES = 'pods,namespaces,services';

/** Same cap as the server's snapshot reader: a large cluster's pod list is big but not unbounded. */
export const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/** Default of `ciliumPolicy.kubectl.timeout`, in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 30;

/**
 * A context name as kubectl prints it. It becomes one argument (no shell parses it), but a name
 * starting with `-` would still be read as a flag, and control characters have no place in it.
 */
export function isSafeContextName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && !name.startsWith('-') && !/[\u0000-\u001f\u007f]/.test(name);
}

/**
 * The argument list for a request. Throws on a context name that could be mistaken for a flag,
 * so a hostile kubeconfig cannot smuggle options in.
 */
export function kubectlArgs(req: KubectlRequest): string[] {
  switch (req.op) {
    case 'contexts':
      return ['config', 'get-contexts', '-o', 'name'];
    case 'currentContext':
      return ['config', 'current-context'];
    case 'workloads':
    case 'ciliumEndpoints':
    case 'nodes': {
      if (!isSafeContextName(req.context))
        throw new Error(`Refusing the kubectl context name ${JSON.stringify(req.context.slice(0, 80))}.`);
      const what = req.op === 'workloads' ? WORKLOAD_RESOURCES : req.op === 'nodes' ? 'nodes' : 'ciliumendpoints';
      // `--context=X` as one argument: the value can never be taken for the next flag.
      return [`--context=${req.context}`, 'get', what, '--all-namespaces', '--output=json'];
    }
  }
}

/**
 * The program to run: the `ciliumPolicy.kubectlPath` setting in a trusted workspace, otherwise
 * nothing at all (an untrusted workspace never runs kubectl). An empty setting means `kubectl`
 * from the PATH.
 */
export function kubectlCommand(setting: unknown, trusted: boolean): string | undefined {
  if (!trusted) return undefined;
  if (typeof setting !== 'string' || setting.trim() === '') return 'kubectl';
  return setting.trim();
}

/** `ciliumPolicy.kubectl.timeout` in milliseconds: whole seconds from 1 to 600, else the default. */
export function timeoutMs(setting: unknown): number {
  const s = typeof setting === 'number' && Number.isFinite(setting) ? Math.round(setting) : DEFAULT_TIMEOUT_SECONDS;
  return Math.min(600, Math.max(1, s)) * 1000;
}

/** Context names from `kubectl config get-contexts -o name`, the current one first, unsafe names dropped. */
export function orderContexts(stdout: string, current: string | undefined): string[] {
  const names = [
    ...new Set(
      stdout
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(isSafeContextName),
    ),
  ];
  const cur = current?.trim();
  if (cur && names.includes(cur)) return [cur, ...names.filter((n) => n !== cur)];
  return names;
}

/**
 * One JSON text for the server from the workloads list and the optional CiliumEndpoint list: a
 * JSON array of the two kubectl lists, which the server's snapshot reader accepts. The
 * CiliumEndpoint output is only included when it is a JSON object (the CRD may be missing).
 */
export function combineInventoryJson(workloads: string, ciliumEndpoints: string | undefined, nodes?: string): string {
  const extras = [ciliumEndpoints, nodes].filter((x): x is string => x !== undefined && isJsonObject(x));
  return extras.length === 0 ? workloads : `[${[workloads, ...extras].join(',')}]`;
}

/** True for text holding one JSON object (a kubectl list), which the server's reader can take. */
function isJsonObject(text: string): boolean {
  if (text.trim() === '') return false;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

/** Why a kubectl run failed, in words for a notification. */
export type KubectlFailure =
  | { readonly reason: 'notFound'; readonly message: string }
  | { readonly reason: 'timeout'; readonly message: string }
  | { readonly reason: 'forbidden'; readonly message: string }
  | { readonly reason: 'tooLarge'; readonly message: string }
  | { readonly reason: 'failed'; readonly message: string };

/** The first meaningful line of kubectl's stderr, cut to a notification's length. */
function firstLine(stderr: string): string {
  const line =
    stderr
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l !== '') ?? '';
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** Classifies an `execFile` error and kubectl's stderr into a message the user can act on. */
export function describeKubectlError(
  err: unknown,
  stderr: string,
  command: string,
  timeoutSeconds: number,
): KubectlFailure {
  const e = (err ?? {}) as { code?: unknown; killed?: unknown; signal?: unknown; message?: unknown };
  if (e.code === 'ENOENT')
    return { reason: 'notFound', message: `kubectl not found (tried "${command}"); set ciliumPolicy.kubectlPath.` };
  if (e.code === 'EACCES')
    return {
      reason: 'notFound',
      message: `kubectl at "${command}" cannot be run (permission denied); check ciliumPolicy.kubectlPath.`,
    };
  if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
    return {
      reason: 'tooLarge',
      message: 'kubectl printed more than 256 MB; save a snapshot of fewer namespaces instead.',
    };
  if (e.killed === true || e.signal === 'SIGTERM') {
    return {
      reason: 'timeout',
      message: `kubectl did not answer within ${timeoutSeconds} s; the cluster may be slow or unreachable (see ciliumPolicy.kubectl.timeout).`,
    };
  }
  const detail = firstLine(stderr);
  if (/forbidden|unauthori[sz]ed|you must be logged in|credentials|\b40[13]\b/i.test(stderr)) {
    return { reason: 'forbidden', message: `kubectl was refused access: ${detail}` };
  }
  const fallback = typeof e.message === 'string' ? firstLine(e.message) : 'unknown error';
  return { reason: 'failed', message: `kubectl failed: ${detail || fallback}` };
}

/** The outcome of one kubectl run. */
export type KubectlResult =
  | { readonly ok: true; readonly stdout: string }
  | { readonly ok: false; readonly failure: KubectlFailure; readonly stderr: string };

/** How to run kubectl; built by the caller from the (trusted) settings. */
export interface KubectlRunOptions {
  readonly command: string;
  readonly timeoutMs: number;
  /** Cancels the run (e.g. the progress notification was cancelled). */
  readonly signal?: AbortSignal;
}

/** Runs one request. Never throws; never uses a shell. */
export function runKubectl(req: KubectlRequest, opts: KubectlRunOptions): Promise<KubectlResult> {
  let args: string[];
  try {
    args = kubectlArgs(req);
  } catch (e) {
    return Promise.resolve({ ok: false, failure: { reason: 'failed', message: (e as Error).message }, stderr: '' });
  }
  const seconds = Math.round(opts.timeoutMs / 1000);
  return new Promise((resolve) => {
    try {
      execFile(
        opts.command,
        args,
        {
          shell: false,
          timeout: opts.timeoutMs,
          maxBuffer: MAX_OUTPUT_BYTES,
          windowsHide: true,
          encoding: 'utf8',
          ...(opts.signal ? { signal: opts.signal } : {}),
        },
        (err, stdout, stderr) => {
          if (err) {
            const aborted = (err as { name?: string }).name === 'AbortError';
            const failure: KubectlFailure = aborted
              ? { reason: 'failed', message: 'Cancelled.' }
              : describeKubectlError(err, String(stderr ?? ''), opts.command, seconds);
            resolve({ ok: false, failure, stderr: String(stderr ?? '') });
          } else resolve({ ok: true, stdout: String(stdout) });
        },
      );
    } catch (e) {
      // execFile throws synchronously on an invalid command (e.g. an empty string).
      resolve({ ok: false, failure: describeKubectlError(e, '', opts.command, seconds), stderr: '' });
    }
  });
}
