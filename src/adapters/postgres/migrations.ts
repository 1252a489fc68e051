/**
 * The PostgreSQL schema as ordered, append-only steps, the same versions as the SQLite store
 * (adapters/sqlite/migrations.ts) in this dialect: timestamptz instants, jsonb documents.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "jobs",
    sql: `
      CREATE TABLE jobs (
        key text PRIMARY KEY,
        test_id text NOT NULL,
        resource text NOT NULL,
        failure jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'deferred')),
        outcome jsonb,
        outcome_type text,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        lease_owner text,
        lease_expires_at timestamptz,
        pr_url text,
        stage_timings jsonb NOT NULL DEFAULT '{}'::jsonb,
        error_kind text,
        error_message text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        finished_at timestamptz,
        resolved_at timestamptz
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
      CREATE TABLE poll_runs (test_id text PRIMARY KEY, run_date text NOT NULL);
      CREATE TABLE poll_state (
        id integer PRIMARY KEY CHECK (id = 1),
        last_full_sync_at timestamptz,
        last_poll_at timestamptz,
        last_successful_poll_at timestamptz
      );
    `,
  },
  {
    version: 3,
    name: "leader-leases",
    sql: `CREATE TABLE leader_leases (name text PRIMARY KEY, owner text NOT NULL, expires_at timestamptz NOT NULL);`,
  },
  {
    // The claim and the start of the work are separate: a queued claim holds a short lease and
    // does not count as a crash when it lapses. Jobs running at upgrade count as started.
    version: 4,
    name: "job-started",
    sql: `ALTER TABLE jobs ADD COLUMN started_at timestamptz;
      UPDATE jobs SET started_at = updated_at WHERE status = 'running';`,
  },
];
