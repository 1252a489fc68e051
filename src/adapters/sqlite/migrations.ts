/**
 * The SQLite schema as ordered, append-only steps: never edit a released step, add a new one.
 * Instants are epoch milliseconds (INTEGER); JSON is stored as TEXT. The PostgreSQL adapter
 * carries the same steps in its own dialect (adapters/postgres/migrations.ts).
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "jobs",
    sql: `
      CREATE TABLE jobs (
        key TEXT PRIMARY KEY,
        test_id TEXT NOT NULL,
        resource TEXT NOT NULL,
        failure TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'deferred')),
        outcome TEXT,
        outcome_type TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        lease_owner TEXT,
        lease_expires_at INTEGER,
        pr_url TEXT,
        stage_timings TEXT NOT NULL DEFAULT '{}',
        error_kind TEXT,
        error_message TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        finished_at INTEGER,
        resolved_at INTEGER
      );
      CREATE INDEX jobs_due ON jobs (status, next_attempt_at);
      CREATE INDEX jobs_test ON jobs (test_id);
      CREATE INDEX jobs_finished ON jobs (finished_at);
      CREATE INDEX jobs_updated ON jobs (updated_at);
    `,
  },
  {
    version: 2,
    name: "poll-state",
    sql: `
      CREATE TABLE poll_runs (test_id TEXT PRIMARY KEY, run_date TEXT NOT NULL);
      CREATE TABLE poll_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last_full_sync_at INTEGER,
        last_poll_at INTEGER,
        last_successful_poll_at INTEGER
      );
    `,
  },
  {
    version: 3,
    name: "leader-leases",
    sql: `CREATE TABLE leader_leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL);`,
  },
  {
    // The claim and the start of the work are separate: a queued claim holds a short lease and
    // does not count as a crash when it lapses. Jobs running at upgrade count as started.
    version: 4,
    name: "job-started",
    sql: `ALTER TABLE jobs ADD COLUMN started_at INTEGER;
      UPDATE jobs SET started_at = updated_at WHERE status = 'running';`,
  },
];
