import type { ScenarioTest, VantaScenario } from "../../test/fakes/vanta-scenario.js";
import { createRng } from "../lib/rng.js";

/**
 * Synthetic failure streams for experiment 2, served by the fake Vanta server. A stream is a
 * timeline of failing (test, entity) pairs appearing; `testsAt(stream, t)` is what Vanta would
 * list at time t: every failure seen so far stays failing (a pull request does not change the
 * cloud until someone merges and applies it), and a test's `lastTestRunDate` moves whenever its
 * entities change, which is what makes TerraFix refetch that test.
 */
export interface FailureTarget {
  testId: string;
  testName?: string;
  /** Vanta's displayName: for S3, the bucket name. */
  displayName: string;
  /** Vanta's responseType, e.g. "S3 bucket". */
  responseType: string;
  /** owner/name of the repository that defines it (for cascade grouping and reporting). */
  repo?: string;
}

export type StreamKind = "steady" | "burst" | "cascade";

export interface FailureEvent {
  atMs: number;
  target: FailureTarget;
}

export interface FailureStream {
  kind: StreamKind;
  description: string;
  durationMs: number;
  events: FailureEvent[];
}

export interface SteadyOptions {
  seed?: number;
  /** How many failures in total. */
  count: number;
  /** Mean gap between batches; real life "every few minutes", compressed for the benchmark. */
  meanGapMs: number;
  /** Batch size range (default 1..3). */
  batch?: [number, number];
}

/** 1–3 failures every few (compressed) minutes, with exponential gaps. */
export function steadyStream(targets: readonly FailureTarget[], options: SteadyOptions): FailureStream {
  const rng = createRng(options.seed ?? 7);
  const [minBatch, maxBatch] = options.batch ?? [1, 3];
  const pool = shuffled(targets, options.seed ?? 7);
  const events: FailureEvent[] = [];
  let at = 0;
  while (events.length < Math.min(options.count, pool.length)) {
    const size = Math.min(rng.int(minBatch, maxBatch), options.count - events.length, pool.length - events.length);
    for (let i = 0; i < size; i++) events.push({ atMs: Math.round(at), target: pool[events.length]! });
    at += -Math.log(Math.max(rng.next(), 1e-9)) * options.meanGapMs;
  }
  return {
    kind: "steady",
    description: `${events.length} failures in batches of ${minBatch}–${maxBatch}, mean gap ${Math.round(options.meanGapMs / 1000)} s`,
    durationMs: Math.round(at),
    events,
  };
}

/** `count` failures spread uniformly at random within `windowMs` (issue 8: 20 within 60 s). */
export function burstStream(targets: readonly FailureTarget[], options: { seed?: number; count: number; windowMs: number }): FailureStream {
  const rng = createRng(options.seed ?? 11);
  const pool = shuffled(targets, options.seed ?? 11).slice(0, options.count);
  const events = pool.map((target) => ({ atMs: Math.round(rng.next() * options.windowMs), target })).sort((a, b) => a.atMs - b.atMs);
  return {
    kind: "burst",
    description: `${events.length} failures within ${Math.round(options.windowMs / 1000)} s`,
    durationMs: options.windowMs,
    events,
  };
}

/**
 * Many failures on related resources of one repository, arriving together: the same buckets
 * failing several tests at once (one misconfigured module), so jobs contend for one clone and
 * edit neighbouring blocks of the same files.
 */
export function cascadeStream(
  targets: readonly FailureTarget[],
  options: { seed?: number; count: number; windowMs: number; testIds: readonly string[] },
): FailureStream {
  const byRepo = new Map<string, FailureTarget[]>();
  for (const t of targets) byRepo.set(t.repo ?? "", [...(byRepo.get(t.repo ?? "") ?? []), t]);
  const [repo, related] = [...byRepo.entries()].sort((a, b) => b[1].length - a[1].length)[0] ?? ["", []];
  const rng = createRng(options.seed ?? 13);
  const events: FailureEvent[] = [];
  outer: for (const target of related) {
    for (const testId of options.testIds) {
      if (events.length >= options.count) break outer;
      events.push({ atMs: Math.round(rng.next() * options.windowMs), target: { ...target, testId } });
    }
  }
  events.sort((a, b) => a.atMs - b.atMs);
  return {
    kind: "cascade",
    description: `${events.length} failures on related resources of ${repo || "one repository"} (${options.testIds.length} test${options.testIds.length === 1 ? "" : "s"} each) within ${Math.round(options.windowMs / 1000)} s`,
    durationMs: options.windowMs,
    events,
  };
}

const BASE_DATE = Date.parse("2026-11-25T06:00:00.000Z");

/** The failing tests Vanta lists `atMs` into the stream (events at or before it). */
export function testsAt(stream: FailureStream, atMs: number): ScenarioTest[] {
  const tests = new Map<string, { name: string; last: number; entities: Map<string, Record<string, unknown>> }>();
  for (const event of stream.events) {
    if (event.atMs > atMs) break;
    const t = event.target;
    const test = tests.get(t.testId) ?? { name: t.testName ?? t.testId, last: 0, entities: new Map() };
    test.last = Math.max(test.last, event.atMs);
    test.entities.set(`${t.responseType}/${t.displayName}`, { displayName: t.displayName, responseType: t.responseType });
    tests.set(t.testId, test);
  }
  return [...tests.entries()].map(([id, t]) => ({
    id,
    name: t.name,
    lastTestRunDate: new Date(BASE_DATE + t.last).toISOString(),
    entities: [...t.entities.values()],
  }));
}

export function scenarioAt(stream: FailureStream, atMs: number, credentials?: VantaScenario["credentials"]): VantaScenario {
  return { ...(credentials === undefined ? {} : { credentials }), tests: testsAt(stream, atMs) };
}

/** Distinct failures (test, resource) of the whole stream: what must all end with one outcome. */
export function distinctFailures(stream: FailureStream): string[] {
  return [...new Set(stream.events.map((e) => `${e.target.testId}|${e.target.responseType}/${e.target.displayName}`))];
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rng = createRng(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
