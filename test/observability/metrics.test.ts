import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStateStore } from "../../src/adapters/state/open-state-store.js";
import { silentLogger } from "../../src/observability/logger.js";
import { createMetrics, registerStoreGauges } from "../../src/observability/metrics.js";
import type { StateStore } from "../../src/ports/state-store.js";
import { at, failures, RETRY } from "../adapters/state/harness.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function sqliteStore(): Promise<StateStore> {
  const dir = mkdtempSync(join(tmpdir(), "terrafix-metrics-"));
  dirs.push(dir);
  return openStateStore(join(dir, "state.db"), { retry: RETRY, logger: silentLogger() });
}

function value(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("state store gauges on /metrics", () => {
  it("count the backlog by status, pull requests by state and the last successful poll, from the store", async () => {
    const store = await sqliteStore();
    try {
      const metrics = createMetrics();
      registerStoreGauges(metrics.registry, store);
      let text = await metrics.registry.metrics();
      expect(value(text, "terrafix_last_successful_poll_timestamp_seconds")).toBe(0);
      expect(value(text, 'terrafix_jobs{status="pending"}')).toBe(0);

      await store.upsertFailures(failures(6), at(0));
      const claimed = await store.claim("w1", 4, 60_000, at(1));
      const [opened, merged, declined, deferred] = claimed;
      await store.finish(opened!.key, "w1", { type: "pr-opened", url: "https://github.com/acme/infra/pull/1" }, {}, at(2));
      await store.finish(merged!.key, "w1", { type: "merged", url: "https://github.com/acme/infra/pull/2" }, {}, at(2));
      await store.finish(declined!.key, "w1", { type: "declined", url: "https://github.com/acme/infra/pull/3", reason: "closed by a human" }, {}, at(2));
      await store.finish(deferred!.key, "w1", { type: "deferred", reason: "5 pull requests this hour" }, {}, at(2));
      await store.savePollState({ runDates: new Map(), fullSync: true, success: true }, at(3));
      // A fresh registry: the gauges of one registry share a store snapshot for a second.
      const later = createMetrics();
      registerStoreGauges(later.registry, store);
      text = await later.registry.metrics();
      expect(value(text, 'terrafix_jobs{status="pending"}')).toBe(2);
      expect(value(text, 'terrafix_jobs{status="deferred"}')).toBe(1);
      expect(value(text, 'terrafix_jobs{status="done"}')).toBe(3);
      expect(value(text, 'terrafix_jobs{status="failed"}')).toBe(0);
      expect(value(text, 'terrafix_pull_requests{state="open"}')).toBe(1);
      expect(value(text, 'terrafix_pull_requests{state="merged"}')).toBe(1);
      expect(value(text, 'terrafix_pull_requests{state="declined"}')).toBe(1);
      expect(value(text, "terrafix_last_successful_poll_timestamp_seconds")).toBe(at(3).getTime() / 1000);
    } finally {
      await store.close();
    }
  });

  it("keep the scrape working when the store cannot be read", async () => {
    const store = await sqliteStore();
    const metrics = createMetrics();
    registerStoreGauges(metrics.registry, store);
    await store.close();
    const text = await metrics.registry.metrics();
    expect(text).toContain("# TYPE terrafix_jobs gauge");
    expect(value(text, 'terrafix_jobs{status="pending"}')).toBeUndefined();
  });
});
