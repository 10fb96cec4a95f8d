// SPDX-License-Identifier: Apache-2.0
/**
 * Merges the `textDocument/didChange` notifications that arrive behind each other into one.
 *
 * The JSON-RPC connection queues every message it reads and hands them to the handlers one per
 * turn of the event loop. A client that sends edits faster than they are handled (an editor
 * replaying a macro, a formatter, a test sending 2,000 keystrokes without waiting) would
 * otherwise have every edit queued, applied, announced and scheduled on its own, and a hover sent
 * after them answered only when all of them were through. This reader sits between the transport
 * and the connection: consecutive changes of one document are held and handed on as one
 * notification (their content changes in order, the version of the last one) as soon as any other
 * message arrives (so the order of messages is kept), or once the messages read in one go have all
 * been seen (a turn of the event loop later).
 *
 * It is also the connection's message strategy, to count the messages the connection hands to
 * the handlers: with the messages read, that is how background work (a lint in slices) knows that
 * input is arriving or still queued, and lets it through first.
 */
import {
  Disposable,
  type DataCallback,
  type Event,
  type Message,
  type MessageReader,
  type MessageStrategy,
  type NotificationMessage,
  type PartialMessageInfo,
} from 'vscode-languageserver';

/** Held edits are handed on after this long even while more keep arriving. */
const MAX_HOLD_MS = 50;
/** …or when this many content changes are held. */
const MAX_HELD_CHANGES = 5000;

interface Held {
  readonly uri: string;
  readonly message: NotificationMessage;
  readonly textDocument: object;
  changes: unknown[];
  version: unknown;
  readonly since: number;
}

/** The document of a well-formed `textDocument/didChange`; undefined for any other message. */
function didChangeOf(message: Message): { uri: string; version: unknown; changes: unknown[] } | undefined {
  const m = message as Partial<NotificationMessage> & { id?: unknown };
  if (m.method !== 'textDocument/didChange' || m.id !== undefined) return undefined;
  const params = m.params as { textDocument?: { uri?: unknown; version?: unknown }; contentChanges?: unknown } | null;
  if (params === null || typeof params !== 'object') return undefined;
  const td = params.textDocument;
  if (td === null || typeof td !== 'object' || typeof td.uri !== 'string') return undefined;
  if (!Array.isArray(params.contentChanges)) return undefined;
  return { uri: td.uri, version: td.version, changes: params.contentChanges };
}

/** A change that replaces the whole text makes every change before it irrelevant. */
function replacesAll(change: unknown): boolean {
  return change !== null && typeof change === 'object' && !('range' in change);
}

export class EditCoalescer implements MessageReader, MessageStrategy {
  private held: Held | undefined;
  private callback: DataCallback | undefined;
  private releaseScheduled = false;
  private read = 0;
  private handled = 0;
  private shutdown = false;
  /** How many didChange notifications were merged into others (for tests and benchmarks). */
  merged = 0;

  constructor(private readonly inner: MessageReader) {}

  get onError(): Event<Error> {
    return this.inner.onError;
  }

  get onClose(): Event<void> {
    return this.inner.onClose;
  }

  get onPartialMessage(): Event<PartialMessageInfo> {
    return this.inner.onPartialMessage;
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const inner = this.inner.listen((message) => this.receive(message));
    return Disposable.create(() => {
      inner.dispose();
      this.callback = undefined;
    });
  }

  dispose(): void {
    this.inner.dispose();
  }

  /** True while edits of the document are held (not yet applied to the server's copy). */
  holds(uri: string): boolean {
    return this.held?.uri === uri;
  }

  /** A number that changes whenever a message was read or handed to its handler (input is being taken in). */
  get activity(): number {
    return this.read + this.handled;
  }

  /** The connection's message strategy: counts the message and hands it to its handler. */
  handleMessage(message: Message, next: (message: Message) => void): void {
    this.handled++;
    next(message);
  }

  /** True once the client asked the server to shut down. */
  get shutdownRequested(): boolean {
    return this.shutdown;
  }

  private receive(message: Message): void {
    this.read++;
    const edit = didChangeOf(message);
    if (!edit) {
      if ((message as { method?: unknown }).method === 'shutdown') this.shutdown = true;
      this.release();
      this.callback?.(message);
      return;
    }
    const held = this.held;
    if (held && held.uri === edit.uri && held.changes.length + edit.changes.length <= MAX_HELD_CHANGES) {
      let lastFull = edit.changes.length - 1;
      while (lastFull >= 0 && !replacesAll(edit.changes[lastFull])) lastFull--;
      if (lastFull >= 0) held.changes = edit.changes.slice(lastFull);
      else held.changes.push(...edit.changes);
      held.version = edit.version;
      this.merged++;
      if (Date.now() - held.since >= MAX_HOLD_MS) this.release();
      return;
    }
    this.release();
    const notification = message as NotificationMessage;
    this.held = {
      uri: edit.uri,
      message: notification,
      textDocument: (notification.params as { textDocument: object }).textDocument,
      changes: [...edit.changes],
      version: edit.version,
      since: Date.now(),
    };
    this.scheduleRelease();
  }

  /** Hands the held edits on now. */
  release(): void {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    const params = {
      ...(held.message.params as object),
      textDocument: { ...held.textDocument, version: held.version },
      contentChanges: held.changes,
    };
    this.callback?.({ ...held.message, params } as NotificationMessage);
  }

  /**
   * Releases the held edits a turn of the event loop later: messages that were read in the same
   * go (one chunk of a pipe, the IPC messages that were waiting) are all seen by then.
   */
  private scheduleRelease(): void {
    if (this.releaseScheduled) return;
    this.releaseScheduled = true;
    setImmediate(() => {
      this.releaseScheduled = false;
      this.release();
    });
  }
}
