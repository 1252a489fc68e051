import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { buildRuntime, type Runtime } from "../../src/composition/runtime.js";
import { silentLogger } from "../../src/observability/logger.js";
import { postgresUrl } from "../adapters/postgres/postgres-url.js";
import { startE2e } from "../support/e2e.js";

const PG_URL = postgresUrl();
const schema = `tf_replicas_${randomBytes(4).toString("hex")}`;

afterAll(async () => {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1800; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe("several replicas on one PostgreSQL", () => {
  it("two daemons with 50 failures open exactly 50 pull requests, and only one polls Vanta", async () => {
    const e2e = await startE2e(50);
    const runtimes: Runtime[] = [];
    try {
      for (const name of ["a", "b"]) {
        const env = e2e.env({
          TERRAFIX_STATE_URL: `${PG_URL}?schema=${schema}`,
          TERRAFIX_CONCURRENCY: "3",
          TERRAFIX_POLL_INTERVAL: "1",
          TERRAFIX_WORK_DIR: `${e2e.work}/clones-${name}`,
        });
        runtimes.push(await buildRuntime(loadConfig({ env }), { logger: silentLogger() }));
      }
      const polls = { a: 0, b: 0 };
      const [a, b] = runtimes as [Runtime, Runtime];
      const original = [a.daemon.poll.bind(a.daemon), b.daemon.poll.bind(b.daemon)] as const;
      a.daemon.poll = async (force) => {
        const r = await original[0](force);
        if (r !== null) polls.a += 1;
        return r;
      };
      b.daemon.poll = async (force) => {
        const r = await original[1](force);
        if (r !== null) polls.b += 1;
        return r;
      };
      a.daemon.start();
      b.daemon.start();
      await waitFor(async () => (await a.store.list({ status: "done" })).length === 50, "50 finished jobs");
      await Promise.all(runtimes.map((r) => r.daemon.gracefulShutdown(10_000)));

      const pulls = e2e.github.pulls("acme", "infra");
      expect(pulls).toHaveLength(50);
      expect(new Set(pulls.map((p) => p.head)).size).toBe(50);
      const stats = await a.store.stats(new Date());
      expect(stats.byOutcome["pr-opened"]).toBe(50);
      // Exactly one replica held the poller lease the whole time.
      expect(Math.min(polls.a, polls.b)).toBe(0);
      expect(Math.max(polls.a, polls.b)).toBeGreaterThan(0);
    } finally {
      await Promise.all(runtimes.map((r) => r.close()));
      await e2e.close();
    }
  });
});
