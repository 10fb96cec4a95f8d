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

function failure(method: string, e: unknown, log: Log, params?: unknown): ResponseError<void> {
  if (e instanceof InvalidParamsError) return invalidParams(method, e.message);
  // A handler registered without a shape (`guard` rather than `checked`) that trips over parameters
  // that are not even an object: the client's mistake, answered as such and not logged.
  if (e instanceof TypeError && (params === null || typeof params !== 'object' || Array.isArray(params)))
    return invalidParams(method, 'params must be an object');
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
      return failure(method, e, log, params);
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
      return failure(method, e, log, params);
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

// ---------------------------------------------------------------------------------------------
// Parameters

/**
 * A request's parameters are not what it takes: answered with JSON-RPC `InvalidParams` (-32602)
 * and this message, and not logged (the client sent it; nothing failed in the server).
 */
export class InvalidParamsError extends Error {}

/** Checks a value; returns what is wrong with it (naming where), or undefined when it fits. */
export type Check = (value: unknown, at: string) => string | undefined;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The checks parameters are described with. */
export const is = {
  string: ((v, at) => (typeof v === 'string' ? undefined : `${at} must be a string`)) as Check,
  boolean: ((v, at) => (typeof v === 'boolean' ? undefined : `${at} must be true or false`)) as Check,
  /** A non-negative integer (an LSP line or character). */
  uint: ((v, at) =>
    typeof v === 'number' && Number.isInteger(v) && v >= 0
      ? undefined
      : `${at} must be a non-negative integer`) as Check,
  /** Anything (checked by the handler, or not read). */
  any: (() => undefined) as Check,
  /** One of the given strings. */
  oneOf:
    (...values: readonly string[]): Check =>
    (v, at) =>
      typeof v === 'string' && values.includes(v)
        ? undefined
        : `${at} must be one of ${values.map((x) => `"${x}"`).join(', ')}`,
  /** Absent (or null) or passing `check`. */
  optional:
    (check: Check): Check =>
    (v, at) =>
      v === undefined || v === null ? undefined : check(v, at),
  array:
    (item: Check): Check =>
    (v, at) => {
      if (!Array.isArray(v)) return `${at} must be an array`;
      for (const [i, x] of v.entries()) {
        const problem = item(x, `${at}[${i}]`);
        if (problem) return problem;
      }
      return undefined;
    },
  /** An object whose every value passes `value` (a label map). */
  record:
    (value: Check): Check =>
    (v, at) => {
      if (!isObject(v)) return `${at} must be an object`;
      for (const [k, x] of Object.entries(v)) {
        const problem = value(x, `${at}[${JSON.stringify(k)}]`);
        if (problem) return problem;
      }
      return undefined;
    },
  /** An object with these fields (others are allowed and not checked). */
  object:
    (fields: Readonly<Record<string, Check>>): Check =>
    (v, at) => {
      if (!isObject(v)) return `${at} must be an object`;
      for (const [name, check] of Object.entries(fields)) {
        const problem = check(v[name], `${at}.${name}`);
        if (problem) return problem;
      }
      return undefined;
    },
};

/** `{ line, character }`. */
const position = is.object({ line: is.uint, character: is.uint });

/** The shapes of the parameters LSP requests share. */
export const params = {
  /** A request without parameters: absent, null or an empty object or list. */
  none: ((v, at) =>
    v === undefined || v === null || isObject(v) || Array.isArray(v)
      ? undefined
      : `${at} must be absent or an object`) as Check,
  textDocument: is.object({ textDocument: is.object({ uri: is.string }) }),
  position: is.object({ textDocument: is.object({ uri: is.string }), position }),
  range: is.object({ start: position, end: position }),
};

/**
 * Wraps a request handler: the parameters are checked first, and a mismatch (or an
 * {@link InvalidParamsError} thrown by the handler) is answered with `InvalidParams` and a
 * message; any other failure as `guardAsync` does. Register with `connection.onRequest(type, …)`
 * (not the `connection.onCompletion`-style shorthands, which read the parameters before the
 * handler sees them).
 */
export function checked<P, R>(
  method: string,
  check: Check,
  handler: (params: P) => R | Promise<R>,
  log: Log,
): (params: unknown) => Promise<R | ResponseError<void>> {
  return async (raw: unknown) => {
    const problem = check(raw, 'params');
    if (problem) return invalidParams(method, problem);
    try {
      return await handler(raw as P);
    } catch (e) {
      if (e instanceof InvalidParamsError) return invalidParams(method, e.message);
      return failure(method, e, log);
    }
  };
}

function invalidParams(method: string, problem: string): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidParams, `cilium-policy: ${method}: ${problem}`);
}
