// SPDX-License-Identifier: Apache-2.0
/**
 * Progress and cancellation for the requests that read a big log (`ciliumPolicy/loadFlows`,
 * `ciliumPolicy/dryRun`): the request's cancellation token becomes the `AbortSignal` the JSON-lines
 * reader stops on between two lines, and the reader's progress becomes LSP work-done progress
 * (`$/progress`) on the token the client sent, with the lines and bytes read. A cancelled read is
 * answered with `RequestCancelled` and how far it got ({@link ReadCancelled}).
 */
import {
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type Connection,
  type WorkDoneProgressReporter,
} from 'vscode-languageserver';
import type { JsonLinesProgress, JsonLinesSummary } from '../io/json-lines.js';
import type { ReadCancelled } from '../protocol.js';

/** An `AbortSignal` that follows a request's cancellation token; `dispose` stops following it. */
export function signalOf(token: CancellationToken | undefined): { signal: AbortSignal; dispose(): void } {
  const abort = new AbortController();
  if (!token) return { signal: abort.signal, dispose: () => undefined };
  if (token.isCancellationRequested) abort.abort();
  const sub = token.onCancellationRequested(() => abort.abort());
  return { signal: abort.signal, dispose: () => sub.dispose() };
}

/** The client's work-done token of a request's parameters, when it sent one. */
export function workDoneTokenOf(params: unknown): string | number | undefined {
  const t = (params as { workDoneToken?: unknown } | null)?.workDoneToken;
  return typeof t === 'string' || typeof t === 'number' ? t : undefined;
}

/** How often progress is reported, at most. */
const EVERY_MS = 200;

function megabytes(n: number): string {
  return (n / (1024 * 1024)).toFixed(n < 10 * 1024 * 1024 ? 1 : 0);
}

/** `12,345 lines, 4.2 of 120 MB`. */
export function progressText(p: { lines: number; bytesRead: number; totalBytes: number | undefined }): string {
  const lines = `${p.lines.toLocaleString('en-US')} line${p.lines === 1 ? '' : 's'}`;
  return p.totalBytes !== undefined
    ? `${lines}, ${megabytes(p.bytesRead)} of ${megabytes(p.totalBytes)} MB`
    : `${lines}, ${megabytes(p.bytesRead)} MB`;
}

/**
 * Work-done progress on the client's token (nothing when it sent none): `begin` now, `report`
 * at most every 200 ms as the reader goes, `end` when `done` is called.
 */
export function readProgress(
  connection: Connection,
  workDoneToken: string | number | undefined,
  title: string,
): { onProgress(p: JsonLinesProgress): void; done(): void } {
  if (workDoneToken === undefined) return { onProgress: () => undefined, done: () => undefined };
  const reporter: WorkDoneProgressReporter = connection.window.attachWorkDoneProgress(workDoneToken);
  reporter.begin(title, 0, 'opening the file', true);
  let last = 0;
  return {
    onProgress(p) {
      const now = Date.now();
      if (now - last < EVERY_MS) return;
      last = now;
      const percentage = p.totalBytes ? Math.min(100, Math.floor((p.bytesRead / p.totalBytes) * 100)) : undefined;
      reporter.report(percentage ?? 0, progressText(p));
    },
    done() {
      reporter.done();
    },
  };
}

/** How far a read got, from its summary. */
export function readSoFar(summary: JsonLinesSummary): ReadCancelled {
  return { lines: summary.lines, bytesRead: summary.bytesRead, totalBytes: summary.sizeAtStart ?? null };
}

/** The answer to a read the client cancelled: `RequestCancelled`, saying how far it got and what stays. */
export function cancelledAnswer(what: string, read: ReadCancelled, kept: string): ResponseError<ReadCancelled> {
  const at = progressText({ ...read, totalBytes: read.totalBytes ?? undefined });
  return new ResponseError<ReadCancelled>(
    LSPErrorCodes.RequestCancelled,
    `${what} was cancelled after ${at}; ${kept}`,
    read,
  );
}
