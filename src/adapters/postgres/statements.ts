/**
 * SQL of the PostgreSQL store ($n parameters; instants are Date values bound as timestamptz).
 * Each statement mirrors the one of the same name in adapters/sqlite/statements.ts.
 */

export const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`;
export const APPLIED_VERSIONS = `SELECT version FROM schema_migrations ORDER BY version`;
export const RECORD_MIGRATION = `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())`;

/** $1 key, $2 test_id, $3 resource, $4 failure json, $5 now. */
export const INSERT_JOB = `INSERT INTO jobs (key, test_id, resource, failure, status, attempts, stage_timings, created_at, updated_at)
  VALUES ($1, $2, $3, $4::jsonb, 'pending', 0, '{}'::jsonb, $5, $5)
  ON CONFLICT (key) DO NOTHING`;
export const REOPEN_JOB = `UPDATE jobs SET
  failure = $4::jsonb, test_id = $2, resource = $3, resolved_at = NULL, updated_at = $5,
  status = CASE WHEN status = 'running' THEN 'running' ELSE 'pending' END,
  attempts = CASE WHEN status = 'running' THEN attempts ELSE 0 END,
  outcome = CASE WHEN status = 'running' THEN outcome ELSE NULL END,
  outcome_type = CASE WHEN status = 'running' THEN outcome_type ELSE NULL END,
  next_attempt_at = NULL, finished_at = NULL, error_kind = NULL, error_message = NULL
  WHERE key = $1 AND resolved_at IS NOT NULL`;
export const REFRESH_JOB = `UPDATE jobs SET failure = $2::jsonb WHERE key = $1`;

/** $1 now, $2 max attempts, $3 message, $4 outcome json. */
export const FAIL_EXHAUSTED = `UPDATE jobs SET status = 'failed', lease_owner = NULL, lease_expires_at = NULL,
  finished_at = $1, updated_at = $1, error_kind = 'transient', error_message = $3,
  outcome = $4::jsonb, outcome_type = 'failed'
  WHERE status = 'running' AND started_at IS NOT NULL AND lease_expires_at <= $1 AND attempts >= $2 AND resolved_at IS NULL`;

/**
 * $1 owner, $2 lease expiry, $3 now, $4 limit. SKIP LOCKED makes concurrent claimers take
 * disjoint rows instead of queueing on each other
 * (https://www.postgresql.org/docs/current/sql-select.html#SQL-FOR-UPDATE-SHARE).
 */
export const CLAIM = `UPDATE jobs SET status = 'running', lease_owner = $1, lease_expires_at = $2,
  attempts = CASE WHEN status = 'running' AND started_at IS NULL THEN attempts ELSE attempts + 1 END,
  started_at = NULL, next_attempt_at = NULL, updated_at = $3
  WHERE key IN (
    SELECT key FROM jobs
    WHERE resolved_at IS NULL AND (
      (status IN ('pending', 'deferred') AND (next_attempt_at IS NULL OR next_attempt_at <= $3))
      OR (status = 'running' AND lease_expires_at <= $3))
    ORDER BY COALESCE(next_attempt_at, created_at), key
    LIMIT $4
    FOR UPDATE SKIP LOCKED)
  RETURNING *`;

/** $1 key, $2 owner, $3 expiry, $4 now. */
export const RENEW_LEASE = `UPDATE jobs SET lease_expires_at = $3, updated_at = $4
  WHERE key = $1 AND lease_owner = $2 AND status = 'running'`;
/** $1 key, $2 owner, $3 expiry, $4 now. */
export const START = `UPDATE jobs SET started_at = $4, lease_expires_at = $3, updated_at = $4
  WHERE key = $1 AND lease_owner = $2 AND status = 'running'`;
/** $1 key, $2 owner, $3 now. */
export const RELEASE = `UPDATE jobs SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL, started_at = NULL,
  attempts = GREATEST(attempts - 1, 0), next_attempt_at = NULL, updated_at = $3
  WHERE key = $1 AND lease_owner = $2 AND status = 'running'`;
export const HELD_BY = `SELECT attempts, pr_url FROM jobs WHERE key = $1 AND lease_owner = $2 AND status = 'running' FOR UPDATE`;
export const FINISH = `UPDATE jobs SET status = $2, attempts = $3, next_attempt_at = $4,
  finished_at = $5, pr_url = $6, error_kind = $7, error_message = $8,
  outcome = $9::jsonb, outcome_type = $10, stage_timings = $11::jsonb,
  lease_owner = NULL, lease_expires_at = NULL, started_at = NULL, updated_at = $12
  WHERE key = $1`;

export const GET = `SELECT * FROM jobs WHERE key = $1`;
export const LIST = `SELECT * FROM jobs
  WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR test_id = $2)
  ORDER BY created_at, key LIMIT $3`;
export const OPEN_KEYS = `SELECT key FROM jobs WHERE test_id = $1 AND resolved_at IS NULL ORDER BY key`;
export const RESOLVE = `UPDATE jobs SET resolved_at = $2, updated_at = $2 WHERE key = ANY($1::text[]) AND resolved_at IS NULL`;

export const POLL_RUNS = `SELECT test_id, run_date FROM poll_runs ORDER BY test_id`;
export const POLL_STATE = `SELECT * FROM poll_state WHERE id = 1`;
export const CLEAR_RUNS = `DELETE FROM poll_runs`;
export const SAVE_RUNS = `INSERT INTO poll_runs (test_id, run_date) SELECT * FROM unnest($1::text[], $2::text[])`;
/** $1 now, $2 success instant or null, $3 full sync instant or null. */
export const SAVE_POLL = `INSERT INTO poll_state (id, last_poll_at, last_successful_poll_at, last_full_sync_at)
  VALUES (1, $1, $2, $3)
  ON CONFLICT (id) DO UPDATE SET last_poll_at = excluded.last_poll_at,
    last_successful_poll_at = COALESCE(excluded.last_successful_poll_at, poll_state.last_successful_poll_at),
    last_full_sync_at = COALESCE(excluded.last_full_sync_at, poll_state.last_full_sync_at)`;

/**
 * $1 name, $2 owner, $3 expiry, $4 now. One statement: ON CONFLICT locks the existing row and
 * re-evaluates the WHERE on its latest version, so two replicas can never both get a row back
 * (https://www.postgresql.org/docs/current/sql-insert.html#SQL-ON-CONFLICT).
 */
export const TAKE_LEADERSHIP = `INSERT INTO leader_leases (name, owner, expires_at) VALUES ($1, $2, $3)
  ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
  WHERE leader_leases.owner = excluded.owner OR leader_leases.expires_at <= $4
  RETURNING name`;
export const RELEASE_LEADERSHIP = `DELETE FROM leader_leases WHERE name = $1 AND owner = $2`;

const SINCE = `($1::timestamptz IS NULL OR updated_at >= $1)`;
export const COUNT_BY_STATUS = `SELECT status, COUNT(*) AS n FROM jobs WHERE ${SINCE} GROUP BY status`;
export const MODEL_COST = `SELECT COUNT(*) AS jobs, SUM((outcome->'llm'->>'costUsd')::float8) AS cost,
  SUM((outcome->'llm'->>'inputTokens')::bigint) AS input, SUM((outcome->'llm'->>'outputTokens')::bigint) AS output
  FROM jobs WHERE outcome->'llm' IS NOT NULL AND ${SINCE}`;

export const COUNT_BY_OUTCOME = `SELECT outcome_type, COUNT(*) AS n FROM jobs
  WHERE outcome_type IS NOT NULL AND ${SINCE} GROUP BY outcome_type`;
export const RECENT_TIMINGS = `SELECT stage_timings, outcome FROM jobs WHERE stage_timings <> '{}'::jsonb AND ${SINCE}
  ORDER BY updated_at DESC, key LIMIT $2`;
export const RECENT_ERRORS = `SELECT key, test_id, resource, error_kind, error_message, updated_at FROM jobs
  WHERE error_kind IS NOT NULL AND ${SINCE} ORDER BY updated_at DESC, key LIMIT $2`;

const FINISHED_BEFORE = `status IN ('done', 'failed') AND finished_at < $1`;
export const COUNT_CLEANUP = `SELECT COUNT(*) AS n FROM jobs WHERE ${FINISHED_BEFORE}`;
export const CLEANUP = `DELETE FROM jobs WHERE ${FINISHED_BEFORE}`;

const REQUEUABLE = `status <> 'running' AND resolved_at IS NULL AND
  (($1::boolean AND status = 'failed') OR (NOT $1::boolean AND key = ANY($2::text[])))`;
export const COUNT_REQUEUE = `SELECT COUNT(*) AS n FROM jobs WHERE ${REQUEUABLE}`;
export const REQUEUE = `UPDATE jobs SET status = 'pending', attempts = 0, next_attempt_at = NULL, finished_at = NULL,
  outcome = NULL, outcome_type = NULL, error_kind = NULL, error_message = NULL, updated_at = $3 WHERE ${REQUEUABLE}`;
