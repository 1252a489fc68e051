import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toStateError } from "../../../src/adapters/postgres/errors.js";
import { PostgresStateStore } from "../../../src/adapters/postgres/state-store.js";
import { TerraFixError } from "../../../src/errors.js";
import { silentLogger } from "../../../src/observability/logger.js";
import { RETRY } from "../state/harness.js";
import { postgresUrl, requirePostgres } from "./postgres-url.js";

beforeAll(requirePostgres);

describe("PostgresStateStore", () => {
  const schemas: string[] = [];

  afterAll(async () => {
    const admin = new pg.Client({ connectionString: postgresUrl() });
    await admin.connect();
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  function freshSchema(): string {
    const schema = `tf_test_${randomBytes(6).toString("hex")}`;
    schemas.push(schema);
    return schema;
  }

  it("lets replicas starting together migrate the same fresh schema once", async () => {
    const schema = freshSchema();
    const stores = Array.from({ length: 4 }, () => new PostgresStateStore({ url: postgresUrl(), schema, retry: RETRY, logger: silentLogger(), poolSize: 2 }));
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      for (const store of stores) expect(await store.appliedMigrations()).toEqual([1, 2, 3, 4]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it("keeps each schema's tables to itself", async () => {
    const [a, b] = [freshSchema(), freshSchema()].map((schema) => new PostgresStateStore({ url: postgresUrl(), schema, retry: RETRY, logger: silentLogger() })) as [PostgresStateStore, PostgresStateStore];
    try {
      await a.migrate();
      await b.migrate();
      expect(await a.tryLeadership("poller", "a", 1_000, new Date(0))).toBe(true);
      expect(await b.tryLeadership("poller", "b", 1_000, new Date(0))).toBe(true);
    } finally {
      await a.close();
      await b.close();
      await a.close();
    }
  });

  it("rejects a schema name that is not a plain identifier", () => {
    expect(() => new PostgresStateStore({ url: postgresUrl(), schema: 'x"; DROP TABLE jobs; --', retry: RETRY, logger: silentLogger() })).toThrow(
      expect.objectContaining({ kind: "config" }) as Error,
    );
  });

  it("reports an unreachable server as a transient state error without the password", async () => {
    const store = new PostgresStateStore({ url: "postgres://terrafix:hunter2secret@127.0.0.1:1/none", retry: RETRY, logger: silentLogger() });
    try {
      const error = await store.ping().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TerraFixError);
      expect(error).toMatchObject({ kind: "transient", stage: "state" });
      expect((error as Error).message).not.toContain("hunter2secret");
    } finally {
      await store.close();
    }
  });
});

describe("PostgreSQL toStateError", () => {
  it.each([
    ["08006", "transient"],
    ["40001", "transient"],
    ["40P01", "transient"],
    ["53300", "transient"],
    ["57P01", "transient"],
    ["55P03", "transient"],
    ["23505", "permanent"],
    ["42P01", "permanent"],
  ])("classifies SQLSTATE %s as %s", (code, kind) => {
    const error = Object.assign(new Error("boom"), { code });
    expect(toStateError(error, "cannot claim jobs")).toMatchObject({ kind, stage: "state", message: "cannot claim jobs: boom" });
  });

  it.each([
    [Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), "transient"],
    [new Error("Connection terminated unexpectedly"), "transient"],
    [new Error("timeout exceeded when trying to connect"), "transient"],
    [new Error("something else"), "permanent"],
  ])("classifies client error %s", (error, kind) => {
    expect(toStateError(error, "x")).toMatchObject({ kind, stage: "state" });
  });
});
