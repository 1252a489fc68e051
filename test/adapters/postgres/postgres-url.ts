import pg from "pg";
import { inject } from "vitest";

/**
 * The PostgreSQL the tests use: TERRAFIX_TEST_POSTGRES_URL when set (CI), else the one
 * test/global-setup/postgres.ts started for this run.
 */
export function postgresUrl(): string {
  return inject("postgresUrl");
}

/** Fails (never skips) the suite with a clear message when PostgreSQL is unreachable. */
export async function requirePostgres(): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl(), connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    throw new Error(
      `PostgreSQL is required for these tests and is unreachable at ${new URL(postgresUrl()).host} (set TERRAFIX_TEST_POSTGRES_URL): ${(error as Error).message}`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
