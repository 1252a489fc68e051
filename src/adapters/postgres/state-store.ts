import pg from "pg";
import { failureKey, resourceIdentityString, type Failure } from "../../domain/failure.js";
import type { Outcome } from "../../domain/outcome.js";
import { TerraFixError } from "../../errors.js";
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
import { toStateError } from "./errors.js";
import { POSTGRES_MIGRATIONS } from "./migrations.js";
import * as sql from "./statements.js";

export interface PostgresStateStoreOptions extends StateStoreOptions {
  /** postgres:// or postgresql:// connection string. Never logged: it may carry a password. */
  url: string;
  /** Schema holding the tables (created by migrate); default: the server's search_path. */
  schema?: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * The shared store for several replicas. Every state change is one statement or one
 * transaction holding row locks, so replicas never take the same job or both lead.
 */
export class PostgresStateStore implements StateStore {
  readonly #pool: pg.Pool;
  readonly #schema: string | undefined;
  readonly #retry: RetryPolicy;
  readonly #logger: Logger;
  readonly #deferMs: number;
  readonly #statsSample: number;
  #closed = false;

  constructor(options: PostgresStateStoreOptions) {
    if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
      throw new TerraFixError("state store schema must be a plain identifier", { kind: "config", stage: "state" });
    }
    this.#schema = options.schema;
    this.#retry = options.retry;
    this.#logger = options.logger.child({ component: "state", store: "postgres", ...(options.schema === undefined ? {} : { schema: options.schema }) });
    this.#deferMs = options.deferMs ?? DEFAULT_DEFER_MS;
    this.#statsSample = options.statsSample ?? DEFAULT_STATS_SAMPLE;
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 10_000,
      // Set per connection at startup, so every pooled client sees the same tables.
      ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
    });
    // An idle client losing its connection emits 'error' on the pool; unhandled, it would crash
    // the process (https://node-postgres.com/apis/pool#error). The next query reconnects.
    this.#pool.on("error", (error) => this.#logger.warn({ err: toStateError(error, "idle connection lost") }, "state connection lost"));
  }

  async #query<R extends pg.QueryResultRow>(what: string, text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.#pool.query<R>(text, values);
    } catch (error) {
      throw toStateError(error, what);
    }
  }

  async #transaction<T>(what: string, work: (client: pg.PoolClient) => Promise<T>, begin = "BEGIN"): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw toStateError(error, what);
    }
    try {
      await client.query(begin);
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw toStateError(error, what);
    } finally {
      client.release();
    }
  }

  async migrate(): Promise<void> {
    await this.#transaction("migration failed", async (client) => {
      // Replicas starting together queue here instead of racing to create the same tables
      // (https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADVISORY-LOCKS).
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`terrafix-migrate:${this.#schema ?? ""}`]);
      if (this.#schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.#schema}"`);
      await client.query(sql.CREATE_MIGRATIONS_TABLE);
      const applied = new Set((await client.query<{ version: number }>(sql.APPLIED_VERSIONS)).rows.map((r) => r.version));
      for (const migration of POSTGRES_MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        await client.query(migration.sql);
        await client.query(sql.RECORD_MIGRATION, [migration.version, migration.name]);
        this.#logger.info({ version: migration.version, name: migration.name }, "state migration applied");
      }
    });
  }

  /** Versions recorded in schema_migrations, ascending (for operators and tests). */
  async appliedMigrations(): Promise<number[]> {
    return (await this.#query<{ version: number }>("cannot read migrations", sql.APPLIED_VERSIONS)).rows.map((r) => r.version);
  }

  async ping(): Promise<void> {
    await this.#query("state store unreachable", "SELECT 1");
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async upsertFailures(failures: readonly Failure[], now: Date): Promise<UpsertResult> {
    const batch = dedupeByKey(failures, (f) => failureKey(f));
    const result = await this.#transaction("cannot record failures", async (client) => {
      const counts: UpsertResult = { inserted: 0, reopened: 0, unchanged: 0 };
      // Sorted keys: two writers lock rows in the same order and cannot deadlock.
      for (const key of [...batch.keys()].sort()) {
        const failure = batch.get(key) as Failure;
        const args = [key, failure.testId, resourceIdentityString(failure), JSON.stringify(failure), now];
        if (((await client.query(sql.INSERT_JOB, args)).rowCount ?? 0) > 0) counts.inserted += 1;
        else if (((await client.query(sql.REOPEN_JOB, args)).rowCount ?? 0) > 0) counts.reopened += 1;
        else {
          await client.query(sql.REFRESH_JOB, [key, JSON.stringify(failure)]);
          counts.unchanged += 1;
        }
      }
      return counts;
    });
    if (result.reopened > 0) this.#logger.info({ reopened: result.reopened }, "resolved failures are failing again");
    return result;
  }

  async claim(owner: string, limit: number, leaseMs: number, now: Date): Promise<JobRecord[]> {
    const message = `lease expired ${this.#retry.maxAttempts} times (worker crashed or hung)`;
    const outcome: Outcome = { type: "failed", kind: "transient", message, retryable: false };
    await this.#query("cannot claim jobs", sql.FAIL_EXHAUSTED, [now, this.#retry.maxAttempts, message, JSON.stringify(outcome)]);
    const expires = new Date(now.getTime() + leaseMs);
    const { rows } = await this.#query<JobRow>("cannot claim jobs", sql.CLAIM, [owner, expires, now, Math.max(0, Math.trunc(limit))]);
    return rows.map(toJobRecord).sort(byDueThenKey);
  }

  async renewLease(key: string, owner: string, leaseMs: number, now: Date): Promise<boolean> {
    const result = await this.#query("cannot renew a lease", sql.RENEW_LEASE, [key, owner, new Date(now.getTime() + leaseMs), now]);
    return (result.rowCount ?? 0) > 0;
  }

  async start(key: string, owner: string, leaseMs: number, now: Date): Promise<boolean> {
    const result = await this.#query("cannot start a job", sql.START, [key, owner, new Date(now.getTime() + leaseMs), now]);
    return (result.rowCount ?? 0) > 0;
  }

  async release(key: string, owner: string, now: Date): Promise<void> {
    await this.#query("cannot release a job", sql.RELEASE, [key, owner, now]);
  }

  async finish(key: string, owner: string, outcome: Outcome, timings: StageTimings, now: Date): Promise<boolean> {
    const finished = await this.#transaction("cannot record an outcome", async (client) => {
      const held = (await client.query<{ attempts: number; pr_url: string | null }>(sql.HELD_BY, [key, owner])).rows[0];
      if (held === undefined) return false;
      const next = finishTransition({ attempts: held.attempts, prUrl: held.pr_url, outcome, policy: this.#retry, deferMs: this.#deferMs, now });
      await client.query(sql.FINISH, [
        key,
        next.status,
        next.attempts,
        next.nextAttemptAt,
        next.finishedAt,
        next.prUrl,
        next.errorKind,
        next.errorMessage,
        JSON.stringify(outcome),
        outcome.type,
        JSON.stringify(timings),
        now,
      ]);
      return true;
    });
    if (!finished) this.#logger.warn({ key, owner }, "outcome discarded: lease lost");
    return finished;
  }

  async get(key: string): Promise<JobRecord | null> {
    const row = (await this.#query<JobRow>("cannot read a job", sql.GET, [key])).rows[0];
    return row === undefined ? null : toJobRecord(row);
  }

  async list(filter: { status?: JobStatus; testId?: string; limit?: number }): Promise<JobRecord[]> {
    const { rows } = await this.#query<JobRow>("cannot list jobs", sql.LIST, [filter.status ?? null, filter.testId ?? null, filter.limit ?? null]);
    return rows.map(toJobRecord);
  }

  async openKeys(testId: string): Promise<string[]> {
    return (await this.#query<{ key: string }>("cannot list open keys", sql.OPEN_KEYS, [testId])).rows.map((r) => r.key);
  }

  async markResolved(keys: readonly string[], now: Date): Promise<number> {
    if (keys.length === 0) return 0;
    return (await this.#query("cannot mark jobs resolved", sql.RESOLVE, [[...new Set(keys)], now])).rowCount ?? 0;
  }

  async getPollState(): Promise<PollState> {
    const runs = await this.#query<{ test_id: string; run_date: string }>("cannot read the poll state", sql.POLL_RUNS);
    const row = (await this.#query<Record<string, unknown>>("cannot read the poll state", sql.POLL_STATE)).rows[0];
    return {
      runDates: new Map(runs.rows.map((r) => [r.test_id, r.run_date])),
      lastFullSyncAt: toDate(row?.last_full_sync_at),
      lastPollAt: toDate(row?.last_poll_at),
      lastSuccessfulPollAt: toDate(row?.last_successful_poll_at),
    };
  }

  async savePollState(state: { runDates: ReadonlyMap<string, string>; fullSync: boolean; success: boolean }, now: Date): Promise<void> {
    await this.#transaction("cannot save the poll state", async (client) => {
      await client.query(sql.CLEAR_RUNS);
      if (state.runDates.size > 0) await client.query(sql.SAVE_RUNS, [[...state.runDates.keys()], [...state.runDates.values()]]);
      await client.query(sql.SAVE_POLL, [now, state.success ? now : null, state.fullSync && state.success ? now : null]);
    });
  }

  async tryLeadership(name: string, owner: string, ttlMs: number, now: Date): Promise<boolean> {
    const result = await this.#query("cannot take the leader lease", sql.TAKE_LEADERSHIP, [name, owner, new Date(now.getTime() + ttlMs), now]);
    return (result.rowCount ?? 0) > 0;
  }

  async releaseLeadership(name: string, owner: string): Promise<void> {
    await this.#query("cannot release the leader lease", sql.RELEASE_LEADERSHIP, [name, owner]);
  }

  async stats(_now: Date, options: { recentErrors?: number; since?: Date } = {}): Promise<Stats> {
    const since = options.since ?? null;
    // REPEATABLE READ: the four figures come from one snapshot.
    const rows = await this.#transaction(
      "cannot compute stats",
      async (client): Promise<StatsRows> => ({
        byStatus: (await client.query<StatsRows["byStatus"][number]>(sql.COUNT_BY_STATUS, [since])).rows,
        byOutcome: (await client.query<StatsRows["byOutcome"][number]>(sql.COUNT_BY_OUTCOME, [since])).rows,
        timings: (await client.query<StatsRows["timings"][number]>(sql.RECENT_TIMINGS, [since, this.#statsSample])).rows,
        model: (await client.query<StatsRows["model"][number]>(sql.MODEL_COST, [since])).rows,
        errors: (await client.query<StatsRows["errors"][number]>(sql.RECENT_ERRORS, [since, options.recentErrors ?? DEFAULT_RECENT_ERRORS])).rows,
      }),
      "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    );
    return buildStats(rows);
  }

  async requeue(target: { failed: true } | { keys: readonly string[] }, now: Date, dryRun: boolean): Promise<number> {
    const failed = "failed" in target;
    const keys = "keys" in target ? [...target.keys] : [];
    if (dryRun) {
      const row = (await this.#query<{ n: string }>("cannot requeue jobs", sql.COUNT_REQUEUE, [failed, keys])).rows[0];
      return Number(row?.n ?? 0);
    }
    return (await this.#query("cannot requeue jobs", sql.REQUEUE, [failed, keys, now])).rowCount ?? 0;
  }

  async cleanup(olderThan: Date, dryRun: boolean): Promise<number> {
    if (dryRun) {
      const row = (await this.#query<{ n: string }>("cannot clean up jobs", sql.COUNT_CLEANUP, [olderThan])).rows[0];
      return Number(row?.n ?? 0);
    }
    return (await this.#query("cannot clean up jobs", sql.CLEANUP, [olderThan])).rowCount ?? 0;
  }
}
