/**
 * The lock of one cached clone: shared leases (jobs reading the working tree) and one exclusive
 * holder (a clone/fetch/reset, or an eviction). Waiters re-check their condition after every
 * change instead of queueing on a specific grant, so the policy (when to fetch, when to share)
 * lives in one place, workspace.ts.
 */
export class RepoSlot {
  /** Leases currently held. */
  readers = 0;
  /** A sync or an eviction owns the folder. */
  busy = false;
  /** acquire() calls waiting on this slot; eviction leaves a slot alone while any wait. */
  waiting = 0;
  readonly #listeners = new Set<() => void>();

  get idle(): boolean {
    return this.readers === 0 && !this.busy && this.waiting === 0;
  }

  /** Resolves at the next notify(); rejects with the signal's reason when it aborts first. */
  changed(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(toError(signal.reason));
        return;
      }
      const onAbort = (): void => {
        this.#listeners.delete(listener);
        reject(toError(signal?.reason));
      };
      const listener = (): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      this.#listeners.add(listener);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  notify(): void {
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) listener();
  }
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error("aborted");
}
