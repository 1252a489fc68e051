import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import type { TestProject } from "vitest/node";
import setup, { embeddedBlocker } from "./postgres.js";

const saved = process.env["TERRAFIX_TEST_POSTGRES_URL"];
afterEach(() => {
  if (saved === undefined) delete process.env["TERRAFIX_TEST_POSTGRES_URL"];
  else process.env["TERRAFIX_TEST_POSTGRES_URL"] = saved;
});

function project(): { provided: Record<string, unknown>; project: TestProject } {
  const provided: Record<string, unknown> = {};
  return { provided, project: { provide: (key: string, value: unknown) => (provided[key] = value) } as unknown as TestProject };
}

// Where the embedded server cannot run (root with a checkout `postgres` cannot reach), the test is
// skipped with the reason in its title; the setup then fails with that reason instead of crashing.
const blocker = await embeddedBlocker();

describe("the tests' PostgreSQL (vitest globalSetup)", () => {
  it("fails the run when TERRAFIX_TEST_POSTGRES_URL is set and unreachable", async () => {
    process.env["TERRAFIX_TEST_POSTGRES_URL"] = "postgres://postgres@127.0.0.1:1/none";
    const { project: p, provided } = project();
    await expect(setup(p)).rejects.toThrow(/TERRAFIX_TEST_POSTGRES_URL is set but PostgreSQL at 127\.0\.0\.1:1 is unreachable/);
    expect(provided).toEqual({});
  });

  it.skipIf(blocker !== undefined)(`starts a real PostgreSQL in a temp folder when the variable is unset, and removes it on teardown${blocker === undefined ? "" : ` (skipped: ${blocker})`}`, async () => {
    delete process.env["TERRAFIX_TEST_POSTGRES_URL"];
    const { project: p, provided } = project();
    const teardown = await setup(p);
    expect(teardown).toBeTypeOf("function");
    const url = provided["postgresUrl"] as string;
    expect(new URL(url).hostname).toBe("127.0.0.1");
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    let dataDir: string;
    try {
      const version = await client.query<{ server_version_num: string }>("SHOW server_version_num");
      expect(Number(version.rows[0]?.server_version_num)).toBeGreaterThanOrEqual(140000);
      dataDir = (await client.query<{ data_directory: string }>("SHOW data_directory")).rows[0]?.data_directory ?? "";
      expect(dataDir.startsWith(tmpdir())).toBe(true);
      expect(existsSync(dataDir)).toBe(true);
    } finally {
      await client.end();
    }
    await teardown?.();
    expect(existsSync(dataDir)).toBe(false);
    const after = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    await expect(after.connect()).rejects.toThrow();
  });
});
