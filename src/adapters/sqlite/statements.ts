/**
 * SQL of the SQLite store, with named parameters (@name). Instants are epoch milliseconds.
 * UPDATE's SET expressions read the row as it was before the update (SQL semantics), which
 * the CASE expressions below rely on.
 */

export const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`;
export const APPLIED_VERSIONS = `SELECT version FROM schema_migrations ORDER BY version`;
export const RECORD_MIGRATION = `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`;

export const INSERT_JOB = `INSERT INTO jobs (key, test_id, resource, failure, status, attempts, stage_timings, created_at, updated_at)
  VALUES (@key, @test_id, @resource, @failure, 'pending', 0, '{}', @now, @now)
  ON CONFLICT (key) DO NOTHING`;

/** A resolved failure reported again starts over; a job still leased keeps its lease. */
export const REOPEN_JOB = `UPDATE jobs SET
  failure = @failure, test_id = @test_id, resource = @resource, resolved_at = NULL, updated_at = @now,
  status = CASE WHEN status = 'running' THEN 'running' ELSE 'pending' END,
  attempts = CASE WHEN status = 'running' THEN attempts ELSE 0 END,
  outcome = CASE WHEN status = 'running' THEN outcome ELSE NULL END,
  outcome_type = CASE WHEN status = 'running' THEN outcome_type ELSE NULL END,
  next_attempt_at = NULL, finished_at = NULL, error_kind = NULL, error_message = NULL
  WHERE key = @key AND resolved_at IS NOT NULL`;

/** The latest report of the failure; not an update of the job, so updated_at stays. */
export const REFRESH_JOB = `UPDATE jobs SET failure = @failure WHERE key = @key`;

export const FAIL_EXHAUSTED = `UPDATE jobs SET status = 'failed', lease_owner = NULL, lease_expires_at = NULL,
  finished_at = @now, updated_at = @now, error_kind = 'transient', error_message = @message,
  outcome = @outcome, outcome_type = 'failed'
  WHERE status = 'running' AND started_at IS NOT NULL AND lease_expires_at <= @now AND attempts >= @max AND resolved_at IS NULL`;

/**
 * A claim that lapsed before its work started (its worker died with the job still queued) is
 * taken again without counting a second attempt: the job never ran.
 */
export const CLAIM = `UPDATE jobs SET status = 'running', lease_owner = @owner, lease_expires_at = @expires,
  attempts = CASE WHEN status = 'running' AND started_at IS NULL THEN attempts ELSE attempts + 1 END,
  started_at = NULL, next_attempt_at = NULL, updated_at = @now
  WHERE key IN (
    SELECT key FROM jobs
    WHERE resolved_at IS NULL AND (
      (status IN ('pending', 'deferred') AND (next_attempt_at IS NULL OR next_attempt_at <= @now))
      OR (status = 'running' AND lease_expires_at <= @now))
    ORDER BY COALESCE(next_attempt_at, created_at), key
    LIMIT @limit)
  RETURNING *`;

export const RENEW_LEASE = `UPDATE jobs SET lease_expires_at = @expires, updated_at = @now
  WHERE key = @key AND lease_owner = @owner AND status = 'running'`;

/** The work of a claimed job starts: the full lease from now on. */
export const START = `UPDATE jobs SET started_at = @now, lease_expires_at = @expires, updated_at = @now
  WHERE key = @key AND lease_owner = @owner AND status = 'running'`;

export const RELEASE = `UPDATE jobs SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL, started_at = NULL,
  attempts = MAX(attempts - 1, 0), next_attempt_at = NULL, updated_at = @now
  WHERE key = @key AND lease_owner = @owner AND status = 'running'`;

export const HELD_BY = `SELECT attempts, pr_url FROM jobs WHERE key = @key AND lease_owner = @owner AND status = 'running'`;

export const FINISH = `UPDATE jobs SET status = @status, attempts = @attempts, next_attempt_at = @next_attempt_at,
  finished_at = @finished_at, pr_url = @pr_url, error_kind = @error_kind, error_message = @error_message,
  outcome = @outcome, outcome_type = @outcome_type, stage_timings = @stage_timings,
  lease_owner = NULL, lease_expires_at = NULL, started_at = NULL, updated_at = @now
  WHERE key = @key`;

export const GET = `SELECT * FROM jobs WHERE key = ?`;
export const LIST = `SELECT * FROM jobs
  WHERE (@status IS NULL OR status = @status) AND (@test_id IS NULL OR test_id = @test_id)
  ORDER BY created_at, key LIMIT @limit`;
export const OPEN_KEYS = `SELECT key FROM jobs WHERE test_id = ? AND resolved_at IS NULL ORDER BY key`;
export const RESOLVE = `UPDATE jobs SET resolved_at = @now, updated_at = @now WHERE key = @key AND resolved_at IS NULL`;

export const POLL_RUNS = `SELECT test_id, run_date FROM poll_runs ORDER BY test_id`;
export const POLL_STATE = `SELECT * FROM poll_state WHERE id = 1`;
export const CLEAR_RUNS = `DELETE FROM poll_runs`;
export const SAVE_RUN = `INSERT INTO poll_runs (test_id, run_date) VALUES (?, ?)`;
export const SAVE_POLL = `INSERT INTO poll_state (id, last_poll_at, last_successful_poll_at, last_full_sync_at)
  VALUES (1, @now, @success, @full)
  ON CONFLICT (id) DO UPDATE SET last_poll_at = excluded.last_poll_at,
    last_successful_poll_at = COALESCE(excluded.last_successful_poll_at, poll_state.last_successful_poll_at),
    last_full_sync_at = COALESCE(excluded.last_full_sync_at, poll_state.last_full_sync_at)`;

/** Acquire when free or expired, renew when already ours; otherwise no row changes. */
export const TAKE_LEADERSHIP = `INSERT INTO leader_leases (name, owner, expires_at) VALUES (@name, @owner, @expires)
  ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
  WHERE leader_leases.owner = excluded.owner OR leader_leases.expires_at <= @now`;
export const RELEASE_LEADERSHIP = `DELETE FROM leader_leases WHERE name = @name AND owner = @owner`;

const SINCE = `(@since IS NULL OR updated_at >= @since)`;
export const COUNT_BY_STATUS = `SELECT status, COUNT(*) AS n FROM jobs WHERE ${SINCE} GROUP BY status`;
export const MODEL_COST = `SELECT COUNT(*) AS jobs, SUM(json_extract(outcome, '$.llm.costUsd')) AS cost,
  SUM(json_extract(outcome, '$.llm.inputTokens')) AS input, SUM(json_extract(outcome, '$.llm.outputTokens')) AS output
  FROM jobs WHERE json_extract(outcome, '$.llm') IS NOT NULL AND ${SINCE}`;

export const COUNT_BY_OUTCOME = `SELECT outcome_type, COUNT(*) AS n FROM jobs
  WHERE outcome_type IS NOT NULL AND ${SINCE} GROUP BY outcome_type`;
export const RECENT_TIMINGS = `SELECT stage_timings, outcome FROM jobs WHERE stage_timings <> '{}' AND ${SINCE}
  ORDER BY updated_at DESC, key LIMIT @limit`;
export const RECENT_ERRORS = `SELECT key, test_id, resource, error_kind, error_message, updated_at FROM jobs
  WHERE error_kind IS NOT NULL AND ${SINCE} ORDER BY updated_at DESC, key LIMIT @limit`;

const FINISHED_BEFORE = `status IN ('done', 'failed') AND finished_at < @cutoff`;
export const COUNT_CLEANUP = `SELECT COUNT(*) AS n FROM jobs WHERE ${FINISHED_BEFORE}`;
export const CLEANUP = `DELETE FROM jobs WHERE ${FINISHED_BEFORE}`;

const REQUEUABLE = `status <> 'running' AND resolved_at IS NULL AND
  (CASE WHEN @failed = 1 THEN status = 'failed' ELSE key IN (SELECT value FROM json_each(@keys)) END)`;
export const COUNT_REQUEUE = `SELECT COUNT(*) AS n FROM jobs WHERE ${REQUEUABLE}`;
export const REQUEUE = `UPDATE jobs SET status = 'pending', attempts = 0, next_attempt_at = NULL, finished_at = NULL,
  outcome = NULL, outcome_type = NULL, error_kind = NULL, error_message = NULL, updated_at = @now WHERE ${REQUEUABLE}`;
