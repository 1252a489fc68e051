import { setTimeout as delay } from "node:timers/promises";
import { TerraFixError } from "../../errors.js";

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;
export type Now = () => number;

export const defaultSleep: Sleep = async (ms, signal) => {
  await delay(ms, undefined, signal === undefined ? undefined : { signal });
};

export interface RateLimiterOptions {
  /** Requests allowed in any sliding window. */
  limit: number;
  windowMs?: number;
  /** What is limited, for the error message ("Vanta API", "Vanta token endpoint"). */
  name: string;
  /** Waiting longer than this for a slot fails with a throttled error instead. Default: wait. */
  maxWaitMs?: number;
  now?: Now;
  sleep?: Sleep;
}

export interface RateLimiter {
  /** Resolves when a request may be sent; the slot is taken at that moment. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Requests sent in the current window (for tests and metrics). */
  readonly inWindow: number;
}

/**
 * A sliding-window limiter: never more than `limit` requests in any `windowMs`. Callers are
 * served in order (a promise chain), so a burst waits its turn instead of racing for slots.
 * Vanta publishes per-minute limits, not a token bucket (shared/reference/vanta-api.md).
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const sent: number[] = [];
  let queue: Promise<void> = Promise.resolve();

  function prune(at: number): void {
    while (sent.length > 0 && (sent[0] ?? 0) <= at - windowMs) sent.shift();
  }

  async function take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const at = now();
      prune(at);
      if (sent.length < options.limit) {
        sent.push(at);
        return;
      }
      const wait = Math.max(1, (sent[0] ?? at) + windowMs - at);
      if (options.maxWaitMs !== undefined && wait > options.maxWaitMs) {
        throw new TerraFixError(`${options.name} limit of ${options.limit} requests per ${windowMs / 1000} s reached; next slot in ${Math.ceil(wait / 1000)} s`, {
          kind: "throttled",
          stage: "poll",
          retryAfterSeconds: Math.ceil(wait / 1000),
        });
      }
      await sleep(wait, signal);
    }
  }

  return {
    acquire(signal) {
      const turn = queue.then(() => take(signal));
      // The next caller waits for this one whatever its outcome.
      queue = turn.catch(() => undefined);
      return turn;
    },
    get inWindow() {
      prune(now());
      return sent.length;
    },
  };
}
