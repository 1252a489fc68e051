import pg from "pg";

/** The PostgreSQL the tests use; CI exports TERRAFIX_TEST_POSTGRES_URL. */
export function postgresUrl(): string {
  return process.env.TERRAFIX_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
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
