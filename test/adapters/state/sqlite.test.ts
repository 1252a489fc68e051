import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStateStore } from "../../../src/adapters/sqlite/state-store.js";
import { silentLogger } from "../../../src/observability/logger.js";
import type { StateStore } from "../../../src/ports/state-store.js";
import { describeStateStoreContract } from "./contract.js";
import { DEFER_MS, RETRY, type StateStoreHarness } from "./harness.js";

/** A real database file in a fresh temp folder (a nested path, so the folder must be created). */
async function sqliteHarness(): Promise<StateStoreHarness> {
  const dir = await mkdtemp(join(tmpdir(), "terrafix-state-"));
  const path = join(dir, "nested", "terrafix.db");
  const opened: SqliteStateStore[] = [];
  return {
    async open(options = {}) {
      const store = new SqliteStateStore({ path, retry: RETRY, deferMs: DEFER_MS, logger: silentLogger(), ...options });
      opened.push(store);
      await store.migrate();
      return store;
    },
    appliedMigrations: (store: StateStore) => (store as SqliteStateStore).appliedMigrations(),
    async dispose() {
      for (const store of opened) await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describeStateStoreContract("SQLite", sqliteHarness);
