import type { Histogram } from "prom-client";

/** Milliseconds spent per stage of one job, in the order the stages ran. */
export type StageTimings = Record<string, number>;

/**
 * Times the stages of one job. Each stage is recorded once in the job's timings (which the job
 * record and the "job finished" log line carry) and observed in the stage histogram.
 */
export class StageTimer {
  readonly timings: StageTimings = {};
  readonly #histogram: Histogram<"stage"> | undefined;
  readonly #now: () => number;
  readonly #started: number;

  constructor(histogram?: Histogram<"stage">, now: () => number = () => performance.now()) {
    this.#histogram = histogram;
    this.#now = now;
    this.#started = now();
  }

  async time<T>(stage: string, work: () => Promise<T>): Promise<T> {
    const start = this.#now();
    try {
      return await work();
    } finally {
      this.record(stage, this.#now() - start);
    }
  }

  record(stage: string, milliseconds: number): void {
    const rounded = Math.round(milliseconds * 10) / 10;
    this.timings[stage] = (this.timings[stage] ?? 0) + rounded;
    this.#histogram?.observe({ stage }, milliseconds / 1000);
  }

  /** Milliseconds since the timer was created. */
  elapsed(): number {
    return Math.round((this.#now() - this.#started) * 10) / 10;
  }
}
