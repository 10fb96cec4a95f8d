// SPDX-License-Identifier: Apache-2.0
/**
 * Long work in slices: a parse or a lint written as a generator of steps (`parseFileSteps`,
 * `lintFileSteps`) runs for a few milliseconds, then lets the event loop answer what is waiting
 * (a hover, a completion, the next edit), and goes on. While the connection keeps handing over
 * messages, a slice waits for the input to be read first, so a burst of edits is taken in (and
 * merged, see `edit-coalescer.ts`) before more background work is done.
 */
import { performance } from 'node:perf_hooks';

/** What a slice asks about the input: whether a message was handled since it last looked. */
export interface InputActivity {
  /** Changes whenever the connection handed a message over. */
  readonly activity: number;
}

/** A generator of steps whose result is kept once it ran to its end, whoever drove it there. */
export class SteppedJob<T> {
  private outcome: { value: T } | undefined;
  /** Milliseconds spent in the steps so far (the work, not the pauses between slices). */
  busyMs = 0;

  constructor(private readonly steps: Generator<void, T, void>) {}

  get done(): boolean {
    return this.outcome !== undefined;
  }

  /** The result; only once {@link done}. */
  get value(): T {
    if (!this.outcome) throw new Error('the job has not finished');
    return this.outcome.value;
  }

  /** Runs one step; true once the job is done. */
  step(): boolean {
    if (this.outcome) return true;
    const r = this.steps.next();
    if (r.done) this.outcome = { value: r.value };
    return r.done === true;
  }

  /** Runs the remaining steps now, without pausing. */
  finish(): T {
    const t = performance.now();
    while (!this.step());
    this.busyMs += performance.now() - t;
    return this.value;
  }
}

export interface SliceOptions {
  /** Milliseconds of work per slice. */
  readonly budgetMs?: number;
  /** When the input is busy, slices wait for it, but never longer than this in a row. */
  readonly maxWaitMs?: number;
  readonly input?: InputActivity;
  /** Checked before every slice: true abandons the job (the result is then undefined). */
  readonly cancelled?: () => boolean;
  /** Runs each slice (to track what the steps read, for instance). */
  readonly wrap?: (slice: () => void) => void;
}

/** Work per slice: short enough that a request waits a few milliseconds at most. */
export const SLICE_BUDGET_MS = 8;

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs a job in slices of about `budgetMs` of work with a turn of the event loop between them.
 * Resolves with the result, or undefined when `cancelled` said so before a slice.
 */
export async function runInSlices<T>(job: SteppedJob<T>, options: SliceOptions = {}): Promise<T | undefined> {
  const budget = options.budgetMs ?? SLICE_BUDGET_MS;
  const maxWait = options.maxWaitMs ?? 200;
  const wrap = options.wrap ?? ((slice: () => void) => slice());
  while (!job.done) {
    // Input first: while messages keep arriving (the count moves from one turn to the next), wait.
    const waitStart = performance.now();
    let seen = options.input?.activity;
    await turn();
    while (options.input && options.input.activity !== seen && performance.now() - waitStart < maxWait) {
      seen = options.input.activity;
      await turn();
    }
    if (job.done) break; // finished by someone who needed it at once
    if (options.cancelled?.()) return undefined;
    const t0 = performance.now();
    wrap(() => {
      while (!job.step() && performance.now() - t0 < budget);
    });
    job.busyMs += performance.now() - t0;
  }
  return job.value;
}
