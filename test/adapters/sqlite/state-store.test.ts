import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toStateError } from "../../../src/adapters/sqlite/errors.js";
import { SqliteStateStore } from "../../../src/adapters/sqlite/state-store.js";
import { failureKey } from "../../../src/domain/failure.js";
import { TerraFixError } from "../../../src/errors.js";
import { silentLogger } from "../../../src/observability/logger.js";
import { at, failure, failures, RETRY } from "../state/harness.js";

describe("SqliteStateStore", () => {
  let dir: string;
  const stores: SqliteStateStore[] = [];

  function open(path: string): SqliteStateStore {
    const store = new SqliteStateStore({ path, retry: RETRY, logger: silentLogger() });
    stores.push(store);
    return store;
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "terrafix-sqlite-"));
  });

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("creates the parent folders and uses write-ahead logging", async () => {
    const path = join(dir, "a", "b", "state.db");
    await open(path).migrate();
    expect((await stat(join(dir, "a", "b"))).isDirectory()).toBe(true);
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
      const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
      expect(tables.map((t) => t.name)).toEqual(["jobs", "leader_leases", "poll_runs", "poll_state", "schema_migrations"]);
    } finally {
      raw.close();
    }
  });

  it("keeps the records across a restart", async () => {
    const path = join(dir, "state.db");
    const first = open(path);
    await first.migrate();
    await first.upsertFailures([failure(1)], at(0));
    await first.close();
    const second = open(path);
    await second.migrate();
    expect((await second.get(failureKey(failure(1))))?.status).toBe("pending");
    expect(await second.appliedMigrations()).toEqual([1, 2, 3, 4]);
  });

  it("refuses at open, as a configuration error, a database with a corrupt page (quick_check)", async () => {
    // Issue 16: a corrupt page used to go unnoticed until a job touched it.
    const path = join(dir, "state.db");
    const first = open(path);
    await first.migrate();
    await first.upsertFailures(failures(400), at(0));
    await first.close();
    // Scribble over the page that holds the jobs table's root (a b-tree page of real rows).
    const raw = new Database(path);
    const { rootpage } = raw.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'jobs'").get() as { rootpage: number };
    const pageSize = raw.pragma("page_size", { simple: true }) as number;
    raw.close();
    const bytes = readFileSync(path);
    bytes.fill(0xa5, (rootpage - 1) * pageSize, rootpage * pageSize);
    writeFileSync(path, bytes);

    const error = (() => {
      try {
        open(path);
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TerraFixError);
    expect(error).toMatchObject({ kind: "config", stage: "state" });
    expect((error as Error).message).toContain(`the SQLite state store ${path} is corrupt`);
  });

  it("works in memory", async () => {
    const store = open(":memory:");
    await store.migrate();
    expect((await store.upsertFailures([failure(1)], at(0))).inserted).toBe(1);
  });

  it("reports an unusable path as a state error", () => {
    expect(() => open(dir)).toThrow(TerraFixError);
  });

  it("reports use before migration as a permanent state error", async () => {
    const store = open(join(dir, "fresh.db"));
    const error = await store.get("x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TerraFixError);
    expect(error).toMatchObject({ kind: "permanent", stage: "state" });
  });

  it("reports a closed store as a state error", async () => {
    const store = open(join(dir, "closed.db"));
    await store.migrate();
    await store.close();
    await expect(store.ping()).rejects.toMatchObject({ stage: "state" });
  });
});

describe("SQLite toStateError", () => {
  it.each([
    ["SQLITE_BUSY", "transient"],
    ["SQLITE_BUSY_SNAPSHOT", "transient"],
    ["SQLITE_LOCKED", "transient"],
    ["SQLITE_CORRUPT", "permanent"],
    ["SQLITE_CONSTRAINT_PRIMARYKEY", "permanent"],
  ])("classifies %s as %s", (code, kind) => {
    const error = Object.assign(new Error("database is locked"), { code });
    expect(toStateError(error, "cannot claim jobs")).toMatchObject({ kind, stage: "state", message: "cannot claim jobs: database is locked" });
  });

  it("passes a TerraFixError through", () => {
    const original = new TerraFixError("x", { kind: "config" });
    expect(toStateError(original, "y")).toBe(original);
  });
});
