// SPDX-License-Identifier: Apache-2.0
/**
 * When the language server dies, how often the client starts it again, and what it tells the
 * user. Pure (no `vscode` import) so the limit and the wording are unit-tested; `client.ts` turns
 * the answers into vscode-languageclient's close actions.
 */

/** Restarts allowed within {@link RESTART_WINDOW_MS}; the next crash in the window is final. */
export const MAX_RESTARTS = 4;

/** The sliding window crashes are counted in. Same figures as vscode-languageclient's default. */
export const RESTART_WINDOW_MS = 3 * 60_000;

/** The output channel the extension logs to; the message names it so users know where to look. */
export const OUTPUT_CHANNEL = 'Cilium Policy';

/** The palette title of `ciliumPolicy.restartServer` (category and title, as package.json has them). */
export const RESTART_COMMAND_TITLE = 'Cilium Policy: Restart Language Server';

/**
 * Counts crashes in a sliding window. A crash loop (a server that dies on every start, say on a
 * document it cannot handle) must not spin forever; a crash now and then must not disable the
 * extension for the rest of the session.
 */
export class RestartBudget {
  private readonly crashes: number[] = [];

  constructor(
    private readonly maxRestarts: number = MAX_RESTARTS,
    private readonly windowMs: number = RESTART_WINDOW_MS,
  ) {}

  /** Records a crash at `now` (ms); true when the server may be started once more. */
  crashed(now: number): boolean {
    this.crashes.push(now);
    while (this.crashes.length > 0 && now - (this.crashes[0] as number) > this.windowMs) this.crashes.shift();
    return this.crashes.length <= this.maxRestarts;
  }

  /** Crashes within the window, the latest included. */
  get recent(): number {
    return this.crashes.length;
  }
}

function minutes(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m === 1 ? '1 minute' : `${m} minutes`;
}

/** Logged (not shown) on each restart: a single crash needs no pop-up, the log keeps the trail. */
export function restartingMessage(crashes: number, maxRestarts = MAX_RESTARTS, windowMs = RESTART_WINDOW_MS): string {
  return `The Cilium Policy language server stopped unexpectedly; starting it again (restart ${crashes} of at most ${maxRestarts} within ${minutes(windowMs)}).`;
}

/** Shown once the budget is spent: what happened, where the details are, and how to try again. */
export function gaveUpMessage(crashes: number, windowMs = RESTART_WINDOW_MS): string {
  return (
    `The Cilium Policy language server crashed ${crashes} times within ${minutes(windowMs)} and will not be started again automatically. ` +
    `Diagnostics and the endpoint preview are off until it runs. ` +
    `The "${OUTPUT_CHANNEL}" output channel has the details; run "${RESTART_COMMAND_TITLE}" to start it again.`
  );
}

/** Error codes of a write to a server process that has gone (IPC or a pipe). */
const GONE = new Set([
  'EPIPE',
  'ECONNRESET',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
  'ERR_IPC_CHANNEL_CLOSED',
]);

/**
 * What to do about an error on the connection to the server:
 * - `wait`: a write failed because the process is gone (messages were on their way when it died).
 *   Its exit follows, and the restart budget decides then; shutting down here would skip the
 *   budget and leave the user without a server after one crash on a busy machine.
 * - `continue`: a garbled message or two, tolerated (vscode-languageclient's default allows three).
 * - `shutdown`: a stream of them.
 */
export function connectionErrorAction(error: unknown, count: number | undefined): 'wait' | 'continue' | 'shutdown' {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if ((typeof code === 'string' && GONE.has(code)) || /\bEPIPE\b|channel closed/i.test(message)) return 'wait';
  return count !== undefined && count <= 3 ? 'continue' : 'shutdown';
}
