// SPDX-License-Identifier: Apache-2.0
/**
 * Every handler the server registers is wrapped by one of these: an exception (or a rejection) is
 * logged and, for a request, answered with a `ResponseError`; the server keeps running.
 */
import { ErrorCodes, ResponseError } from 'vscode-languageserver';

/** Where a handler's failure is logged. */
export type Log = (message: string) => void;

/** An error's stack (or message) for the log. */
export function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

function failure(method: string, e: unknown, log: Log): ResponseError<void> {
  log(`cilium-policy: ${method} failed: ${describe(e)}`);
  return new ResponseError(
    ErrorCodes.InternalError,
    `cilium-policy: ${method} failed: ${(e as Error)?.message ?? String(e)}`,
  );
}

/** Wraps a request handler: a throw is logged and answered with a `ResponseError`. */
export function guard<P, R>(
  method: string,
  handler: (params: P) => R,
  log: Log,
): (params: P) => R | ResponseError<void> {
  return (params: P) => {
    try {
      return handler(params);
    } catch (e) {
      return failure(method, e, log);
    }
  };
}

/** `guard` for async handlers: a rejection is logged and answered with a `ResponseError`. */
export function guardAsync<P, R>(
  method: string,
  handler: (params: P) => Promise<R>,
  log: Log,
): (params: P) => Promise<R | ResponseError<void>> {
  return async (params: P) => {
    try {
      return await handler(params);
    } catch (e) {
      return failure(method, e, log);
    }
  };
}

/** Wraps a notification handler: a throw is logged and swallowed. */
export function notify<P>(method: string, handler: (params: P) => void, log: Log): (params: P) => void {
  return (params: P) => {
    try {
      handler(params);
    } catch (e) {
      log(`cilium-policy: ${method} failed: ${describe(e)}`);
    }
  };
}
