import { randomBytes } from "node:crypto";
import pg from "pg";
import { beforeAll } from "vitest";
import { PostgresStateStore } from "../../../src/adapters/postgres/state-store.js";
import { silentLogger } from "../../../src/observability/logger.js";
import type { StateStore } from "../../../src/ports/state-store.js";
import { describeStateStoreContract } from "./contract.js";
import { DEFER_MS, RETRY, type StateStoreHarness } from "./harness.js";
import { postgresUrl, requirePostgres } from "../postgres/postgres-url.js";

beforeAll(requirePostgres);

/** A fresh schema `tf_test_<random>` per test, dropped afterwards. */
async function postgresHarness(): Promise<StateStoreHarness> {
  const schema = `tf_test_${randomBytes(6).toString("hex")}`;
  const opened: PostgresStateStore[] = [];
  return Promise.resolve({
    async open(options = {}) {
      const store = new PostgresStateStore({ url: postgresUrl(), schema, poolSize: 4, retry: RETRY, deferMs: DEFER_MS, logger: silentLogger(), ...options });
      opened.push(store);
      await store.migrate();
      return store;
    },
    appliedMigrations: (store: StateStore) => (store as PostgresStateStore).appliedMigrations(),
    async dispose() {
      for (const store of opened) await store.close();
      const admin = new pg.Client({ connectionString: postgresUrl() });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await admin.end();
      }
    },
  });
}

describeStateStoreContract("PostgreSQL", postgresHarness);
