import { coerceError } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import type { JobRecord } from "../ports/state-store.js";
import type { JobResult } from "./worker-pool.js";

export type ShutdownMode = "graceful" | "forceful";

export interface ShutdownResult {
  /** Jobs that were running when the shutdown began and finished on their own. */
  finished: number;
  /** Jobs aborted and handed back to the store (they run again, attempt not counted). */
  released: number;
}

/** What the pool and the daemon announce, as graphile-worker's typed events. */
export interface LifecycleEvents {
  "job:finished": { job: JobRecord; result: JobResult };
  "job:released": { job: JobRecord };
  "shutdown:start": { mode: ShutdownMode };
  /** A forceful shutdown that overtook a graceful one still waiting for its jobs. */
  "shutdown:forced": Record<string, never>;
  "shutdown:done": ShutdownResult;
}

export type LifecycleListener<E extends keyof LifecycleEvents> = (payload: LifecycleEvents[E]) => unknown;

/**
 * A listener is someone else's code: whatever it throws (or rejects with) is logged under its own
 * message and the event name, and never reaches the pool or the log line of the work that emitted it.
 */
export class Lifecycle {
  readonly #logger: Logger;
  readonly #listeners = new Map<keyof LifecycleEvents, Set<(payload: never) => unknown>>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Returns a function that removes the listener. */
  on<E extends keyof LifecycleEvents>(event: E, listener: LifecycleListener<E>): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<E extends keyof LifecycleEvents>(event: E, payload: LifecycleEvents[E]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        const returned = (listener as LifecycleListener<E>)(payload);
        if (returned instanceof Promise) returned.catch((error: unknown) => this.#failed(event, error));
      } catch (error) {
        this.#failed(event, error);
      }
    }
  }

  #failed(event: keyof LifecycleEvents, error: unknown): void {
    try {
      this.#logger.warn({ event, err: coerceError(error) }, "lifecycle listener failed");
    } catch {
      // A logger that throws must not turn a listener's failure into the pool's.
    }
  }
}
