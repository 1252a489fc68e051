import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { failureKey, resourceIdentityString, type Failure } from "../../domain/failure.js";
import type { Outcome } from "../../domain/outcome.js";
import type { Logger } from "../../observability/logger.js";
import type { StageTimings } from "../../observability/stage-timer.js";
import type {
  JobRecord,
  JobStatus,
  PollState,
  RetryPolicy,
  StateStore,
  Stats,
  UpsertResult,
} from "../../ports/state-store.js";
import type { StateStoreOptions } from "../state/options.js";
import { byDueThenKey, dedupeByKey, toDate, toJobRecord, type JobRow } from "../state/rows.js";
import { buildStats, DEFAULT_RECENT_ERRORS, type StatsRows } from "../state/stats.js";
import { DEFAULT_DEFER_MS, DEFAULT_STATS_SAMPLE, finishTransition } from "../state/transitions.js";
import { corruptStore, isCorruption, toStateError } from "./errors.js";
import { SQLITE_MIGRATIONS } from "./migrations.js";
import * as sql from "./statements.js";

export interface SqliteStateStoreOptions extends StateStoreOptions {
  /** A file path, or `:memory:`. The parent folder is created. */
  path: string;
  /** How long a writer waits for another connection's lock (https://sqlite.org/c3ref/busy_timeout.html). */
  busyTimeoutMs?: number;
}

/**
 * The embedded store. better-sqlite3 is synchronous: every method runs its statements in one
 * transaction, which is atomic across connections and processes sharing the file. Writers take
 * the lock up front (BEGIN IMMEDIATE) so a read-then-write never fails with SQLITE_BUSY midway.
 */
export class SqliteStateStore implements StateStore {
  readonly #db: Database.Database;
  readonly #retry: RetryPolicy;
  readonly #logger: Logger;
  readonly #deferMs: number;
  readonly #statsSample: number;

  constructor(options: SqliteStateStoreOptions) {
    this.#retry = options.retry;
    this.#logger = options.logger.child({ component: "state", store: "sqlite" });
    this.#deferMs = options.deferMs ?? DEFAULT_DEFER_MS;
    this.#statsSample = options.statsSample ?? DEFAULT_STATS_SAMPLE;
    try {
      if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
      this.#db = new Database(options.path);
      // WAL lets readers (stats, /readyz) run while a worker writes (https://sqlite.org/wal.html).
      this.#db.pragma("journal_mode = WAL");
      this.#db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
      this.#db.pragma("synchronous = NORMAL");
      if (options.path !== ":memory:") checkIntegrity(this.#db, options.path);
    } catch (error) {
      if (isCorruption(error)) throw corruptStore(options.path, error instanceof Error ? error.message : String(error), error);
      throw toStateError(error, "cannot open the SQLite state store");
    }
  }

  /**
   * Runs `work` in one BEGIN IMMEDIATE transaction. Like #read, it settles a promise rather than
   * throwing synchronously, so callers see the same async behaviour as with PostgreSQL.
   */
  #write<T>(what: string, work: () => T): Promise<T> {
    return this.#read(what, () => this.#db.transaction(work).immediate());
  }

  #read<T>(what: string, work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(toStateError(error, what));
    }
  }

  async migrate(): Promise<void> {
    await this.#write("migration failed", () => {
      this.#db.exec(sql.CREATE_MIGRATIONS_TABLE);
      const applied = new Set(this.#db.prepare<[], { version: number }>(sql.APPLIED_VERSIONS).all().map((r) => r.version));
      for (const migration of SQLITE_MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        this.#db.exec(migration.sql);
        this.#db.prepare(sql.RECORD_MIGRATION).run(migration.version, migration.name, Date.now());
        this.#logger.info({ version: migration.version, name: migration.name }, "state migration applied");
      }
    });
  }

  /** Versions recorded in schema_migrations, ascending (for operators and tests). */
  appliedMigrations(): Promise<number[]> {
    return this.#read("cannot read migrations", () => this.#db.prepare<[], { version: number }>(sql.APPLIED_VERSIONS).all().map((r) => r.version));
  }

  async ping(): Promise<void> {
    await this.#read("state store unreachable", () => this.#db.prepare("SELECT 1").get());
  }

  close(): Promise<void> {
    return this.#read("cannot close the state store", () => {
      if (this.#db.open) this.#db.close();
    });
  }

  async upsertFailures(failures: readonly Failure[], now: Date): Promise<UpsertResult> {
    const batch = dedupeByKey(failures, (f) => failureKey(f));
    const result = await this.#write("cannot record failures", () => {
      const counts: UpsertResult = { inserted: 0, reopened: 0, unchanged: 0 };
      const insert = this.#db.prepare(sql.INSERT_JOB);
      const reopen = this.#db.prepare(sql.REOPEN_JOB);
      const refresh = this.#db.prepare(sql.REFRESH_JOB);
      for (const key of [...batch.keys()].sort()) {
        const failure = batch.get(key) as Failure;
        const args = { key, test_id: failure.testId, resource: resourceIdentityString(failure), failure: JSON.stringify(failure), now: now.getTime() };
        if (insert.run(args).changes > 0) counts.inserted += 1;
        else if (reopen.run(args).changes > 0) counts.reopened += 1;
        else {
          refresh.run(args);
          counts.unchanged += 1;
        }
      }
      return counts;
    });
    if (result.reopened > 0) this.#logger.info({ reopened: result.reopened }, "resolved failures are failing again");
    return result;
  }

  async claim(owner: string, limit: number, leaseMs: number, now: Date): Promise<JobRecord[]> {
    const rows = await this.#write("cannot claim jobs", () => {
      this.#db.prepare(sql.FAIL_EXHAUSTED).run(exhaustedArgs(this.#retry, now));
      return this.#db
        .prepare<[object], JobRow>(sql.CLAIM)
        .all({ owner, expires: now.getTime() + leaseMs, now: now.getTime(), limit: Math.max(0, Math.trunc(limit)) });
    });
    return rows.map(toJobRecord).sort(byDueThenKey);
  }

  async renewLease(key: string, owner: string, leaseMs: number, now: Date): Promise<boolean> {
    const changes = await this.#write("cannot renew a lease", () =>
      this.#db.prepare(sql.RENEW_LEASE).run({ key, owner, expires: now.getTime() + leaseMs, now: now.getTime() }).changes,
    );
    return changes > 0;
  }

  async start(key: string, owner: string, leaseMs: number, now: Date): Promise<boolean> {
    const changes = await this.#write("cannot start a job", () =>
      this.#db.prepare(sql.START).run({ key, owner, expires: now.getTime() + leaseMs, now: now.getTime() }).changes,
    );
    return changes > 0;
  }

  async release(key: string, owner: string, now: Date): Promise<void> {
    await this.#write("cannot release a job", () => this.#db.prepare(sql.RELEASE).run({ key, owner, now: now.getTime() }));
  }

  async finish(key: string, owner: string, outcome: Outcome, timings: StageTimings, now: Date): Promise<boolean> {
    const finished = await this.#write("cannot record an outcome", () => {
      const held = this.#db.prepare<[object], { attempts: number; pr_url: string | null }>(sql.HELD_BY).get({ key, owner });
      if (held === undefined) return false;
      const next = finishTransition({ attempts: held.attempts, prUrl: held.pr_url, outcome, policy: this.#retry, deferMs: this.#deferMs, now });
      this.#db.prepare(sql.FINISH).run({
        key,
        status: next.status,
        attempts: next.attempts,
        next_attempt_at: next.nextAttemptAt?.getTime() ?? null,
        finished_at: next.finishedAt?.getTime() ?? null,
        pr_url: next.prUrl,
        error_kind: next.errorKind,
        error_message: next.errorMessage,
        outcome: JSON.stringify(outcome),
        outcome_type: outcome.type,
        stage_timings: JSON.stringify(timings),
        now: now.getTime(),
      });
      return true;
    });
    if (!finished) this.#logger.warn({ key, owner }, "outcome discarded: lease lost");
    return finished;
  }

  async get(key: string): Promise<JobRecord | null> {
    const row = await this.#read("cannot read a job", () => this.#db.prepare<[string], JobRow>(sql.GET).get(key));
    return row === undefined ? null : toJobRecord(row);
  }

  async list(filter: { status?: JobStatus; testId?: string; limit?: number }): Promise<JobRecord[]> {
    const rows = await this.#read("cannot list jobs", () =>
      this.#db.prepare<[object], JobRow>(sql.LIST).all({ status: filter.status ?? null, test_id: filter.testId ?? null, limit: filter.limit ?? -1 }),
    );
    return rows.map(toJobRecord);
  }

  async openKeys(testId: string): Promise<string[]> {
    const rows = await this.#read("cannot list open keys", () => this.#db.prepare<[string], { key: string }>(sql.OPEN_KEYS).all(testId));
    return rows.map((r) => r.key);
  }

  async markResolved(keys: readonly string[], now: Date): Promise<number> {
    const count = await this.#write("cannot mark jobs resolved", () => {
      const resolve = this.#db.prepare(sql.RESOLVE);
      let n = 0;
      for (const key of new Set(keys)) n += resolve.run({ key, now: now.getTime() }).changes;
      return n;
    });
    return count;
  }

  getPollState(): Promise<PollState> {
    return this.#read("cannot read the poll state", () => {
      const runs = this.#db.prepare<[], { test_id: string; run_date: string }>(sql.POLL_RUNS).all();
      const row = this.#db.prepare<[], Record<string, unknown>>(sql.POLL_STATE).get();
      return {
        runDates: new Map(runs.map((r) => [r.test_id, r.run_date])),
        lastFullSyncAt: toDate(row?.last_full_sync_at),
        lastPollAt: toDate(row?.last_poll_at),
        lastSuccessfulPollAt: toDate(row?.last_successful_poll_at),
      };
    });
  }

  async savePollState(state: { runDates: ReadonlyMap<string, string>; fullSync: boolean; success: boolean }, now: Date): Promise<void> {
    await this.#write("cannot save the poll state", () => {
      this.#db.prepare(sql.CLEAR_RUNS).run();
      const save = this.#db.prepare(sql.SAVE_RUN);
      for (const [testId, runDate] of state.runDates) save.run(testId, runDate);
      this.#db.prepare(sql.SAVE_POLL).run({
        now: now.getTime(),
        success: state.success ? now.getTime() : null,
        full: state.fullSync && state.success ? now.getTime() : null,
      });
    });
  }

  async tryLeadership(name: string, owner: string, ttlMs: number, now: Date): Promise<boolean> {
    const changes = await this.#write("cannot take the leader lease", () =>
      this.#db.prepare(sql.TAKE_LEADERSHIP).run({ name, owner, expires: now.getTime() + ttlMs, now: now.getTime() }).changes,
    );
    return changes > 0;
  }

  async releaseLeadership(name: string, owner: string): Promise<void> {
    await this.#write("cannot release the leader lease", () => this.#db.prepare(sql.RELEASE_LEADERSHIP).run({ name, owner }));
  }

  async stats(_now: Date, options: { recentErrors?: number; since?: Date } = {}): Promise<Stats> {
    const since = options.since?.getTime() ?? null;
    // One read transaction: the four figures come from the same snapshot.
    const rows = await this.#read("cannot compute stats", this.#db.transaction(() => ({
      byStatus: this.#db.prepare<[object], { status: string; n: number }>(sql.COUNT_BY_STATUS).all({ since }),
      byOutcome: this.#db.prepare<[object], { outcome_type: string; n: number }>(sql.COUNT_BY_OUTCOME).all({ since }),
      timings: this.#db.prepare<[object], { stage_timings: string; outcome: string | null }>(sql.RECENT_TIMINGS).all({ since, limit: this.#statsSample }),
      model: this.#db.prepare<[object], StatsRows["model"][number]>(sql.MODEL_COST).all({ since }),
      errors: this.#db
        .prepare<[object], { key: string; test_id: string; resource: string; error_kind: string; error_message: string | null; updated_at: number }>(sql.RECENT_ERRORS)
        .all({ since, limit: options.recentErrors ?? DEFAULT_RECENT_ERRORS }),
    })));
    return buildStats(rows);
  }

  async requeue(target: { failed: true } | { keys: readonly string[] }, now: Date, dryRun: boolean): Promise<number> {
    const args = { failed: "failed" in target ? 1 : 0, keys: JSON.stringify("keys" in target ? target.keys : []), now: now.getTime() };
    return this.#write("cannot requeue jobs", () =>
      dryRun
        ? (this.#db.prepare<[object], { n: number }>(sql.COUNT_REQUEUE).get(args)?.n ?? 0)
        : this.#db.prepare(sql.REQUEUE).run(args).changes,
    );
  }

  async cleanup(olderThan: Date, dryRun: boolean): Promise<number> {
    const n = await this.#write("cannot clean up jobs", () =>
      dryRun
        ? (this.#db.prepare<[object], { n: number }>(sql.COUNT_CLEANUP).get({ cutoff: olderThan.getTime() })?.n ?? 0)
        : this.#db.prepare(sql.CLEANUP).run({ cutoff: olderThan.getTime() }).changes,
    );
    return n;
  }
}

/** A crashing job (its lease keeps expiring) must not loop forever: past maxAttempts it fails. */
function exhaustedArgs(retry: RetryPolicy, now: Date): object {
  const message = `lease expired ${retry.maxAttempts} times (worker crashed or hung)`;
  return {
    now: now.getTime(),
    max: retry.maxAttempts,
    message,
    outcome: JSON.stringify({ type: "failed", kind: "transient", message, retryable: false } satisfies Outcome),
  };
}

/**
 * A corrupt page is found at start, not by the first job that happens to touch it
 * (https://sqlite.org/pragma.html#pragma_quick_check: the O(N) checks without index content).
 */
function checkIntegrity(db: Database.Database, path: string): void {
  let problems: string[];
  try {
    problems = (db.pragma("quick_check(5)") as { quick_check: string }[]).map((r) => r.quick_check);
  } catch (error) {
    problems = [error instanceof Error ? error.message : String(error)];
  }
  if (problems.length === 1 && problems[0] === "ok") return;
  db.close();
  throw corruptStore(path, problems.join("; "));
}

