import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { PostgresStateStore } from "../../../src/adapters/postgres/state-store.js";
import { openStateStore, parseStateUrl } from "../../../src/adapters/state/open-state-store.js";
import { SqliteStateStore } from "../../../src/adapters/sqlite/state-store.js";
import { silentLogger } from "../../../src/observability/logger.js";
import { postgresUrl, requirePostgres } from "../postgres/postgres-url.js";
import { at, failure, RETRY } from "./harness.js";

describe("parseStateUrl", () => {
  it.each([
    ["./data/terrafix.db", { kind: "sqlite", path: "./data/terrafix.db" }],
    ["/var/lib/terrafix/state.db", { kind: "sqlite", path: "/var/lib/terrafix/state.db" }],
    ["sqlite:./x.db", { kind: "sqlite", path: "./x.db" }],
    ["sqlite:///tmp/x.db", { kind: "sqlite", path: "/tmp/x.db" }],
    [":memory:", { kind: "sqlite", path: ":memory:" }],
    ["C:\\terrafix\\state.db", { kind: "sqlite", path: "C:\\terrafix\\state.db" }],
    ["postgres://u:p@db:5432/terrafix", { kind: "postgres", url: "postgres://u:p@db:5432/terrafix" }],
    ["postgresql://db/terrafix?sslmode=require", { kind: "postgres", url: "postgresql://db/terrafix?sslmode=require" }],
    ["postgres://db/terrafix?schema=tf&sslmode=require", { kind: "postgres", url: "postgres://db/terrafix?sslmode=require", schema: "tf" }],
  ])("reads %s", (url, expected) => {
    expect(parseStateUrl(url)).toEqual(expected);
  });

  it.each(["", "   ", "mysql://db/terrafix", "postgres://u:s3cret@[bad"])("rejects %j as a config error", (url) => {
    let error: unknown;
    try {
      parseStateUrl(url);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ kind: "config" });
    expect((error as Error).message).not.toContain("s3cret");
  });
});

describe("openStateStore", () => {
  it("opens and migrates SQLite for a path", async () => {
    const dir = await mkdtemp(join(tmpdir(), "terrafix-open-"));
    const store = await openStateStore(join(dir, "sub", "state.db"), { retry: RETRY, logger: silentLogger() });
    try {
      expect(store).toBeInstanceOf(SqliteStateStore);
      expect((await store.upsertFailures([failure(1)], at(0))).inserted).toBe(1);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("opens and migrates PostgreSQL in the schema the URL names", async () => {
    await requirePostgres();
    const schema = `tf_test_${randomBytes(6).toString("hex")}`;
    const url = new URL(postgresUrl());
    url.searchParams.set("schema", schema);
    const store = await openStateStore(url.toString(), { retry: RETRY, logger: silentLogger() });
    const admin = new pg.Client({ connectionString: postgresUrl() });
    await admin.connect();
    try {
      expect(store).toBeInstanceOf(PostgresStateStore);
      await store.upsertFailures([failure(1)], at(0));
      const { rows } = await admin.query(`SELECT COUNT(*)::int AS n FROM "${schema}".jobs`);
      expect(rows[0].n).toBe(1);
    } finally {
      await store.close();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });

  it("closes the store and rethrows when migration fails", async () => {
    const dir = await mkdtemp(join(tmpdir(), "terrafix-open-"));
    try {
      // A directory is not a database file.
      await expect(openStateStore(`sqlite:${dir}`, { retry: RETRY, logger: silentLogger() })).rejects.toMatchObject({ stage: "state" });
      await expect(openStateStore("postgres://u:pw@127.0.0.1:1/none", { retry: RETRY, logger: silentLogger() })).rejects.toMatchObject({ kind: "transient" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
