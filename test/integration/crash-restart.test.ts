import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { withStore } from "../../src/composition/store.js";
import { startDaemon, waitFor } from "../support/daemon-process.js";
import { startE2e, type E2eEnvironment } from "../support/e2e.js";

function daemonEnv(e2e: E2eEnvironment): NodeJS.ProcessEnv {
  return e2e.env({ TERRAFIX_HTTP_PORT: "0", TERRAFIX_POLL_INTERVAL: "1", TERRAFIX_LEASE_SECONDS: "10", TERRAFIX_CONCURRENCY: "2", LOG_LEVEL: "info" });
}

describe("the daemon process", () => {
  it("killed with SIGKILL mid-run and restarted, finishes every job with no duplicate pull request", async () => {
    const e2e = await startE2e(24);
    e2e.github.setLatency(40);
    try {
      const env = daemonEnv(e2e);
      const first = startDaemon(env);
      await waitFor(() => e2e.github.pulls("acme", "infra").length >= 4, "the first pull requests", first.output);
      first.child.kill("SIGKILL");
      expect((await first.exited).signal).toBe("SIGKILL");
      const before = e2e.github.pulls("acme", "infra").length;
      expect(before).toBeLessThan(24);

      const second = startDaemon(env);
      await waitFor(
        async () => (await withStore(loadConfig({ env }), (s) => s.list({ status: "done" }))).length === 24,
        "every job to finish after the restart",
        second.output,
      );
      second.child.kill("SIGTERM");
      expect((await second.exited).code).toBe(0);

      const pulls = e2e.github.pulls("acme", "infra");
      expect(pulls).toHaveLength(24);
      expect(new Set(pulls.map((p) => p.head)).size).toBe(24);
    } finally {
      await e2e.close();
    }
  });

  it("on SIGTERM waits for in-flight jobs, records them, and exits 0", async () => {
    const e2e = await startE2e(6);
    e2e.github.setLatency(150);
    try {
      const env = daemonEnv(e2e);
      const daemon = startDaemon(env);
      await waitFor(() => daemon.output().includes('"msg":"poll finished"'), "the first poll", daemon.output);
      await waitFor(() => e2e.github.state.requests.some((r) => r.method === "POST"), "a job to be publishing", daemon.output);
      daemon.child.kill("SIGTERM");
      const exit = await daemon.exited;
      expect(exit.code).toBe(0);
      expect(daemon.output()).toContain("shutting down gracefully");
      const records = await withStore(loadConfig({ env }), (s) => s.list({}));
      expect(records.filter((r) => r.status === "running")).toEqual([]);
      const done = records.filter((r) => r.status === "done").length;
      expect(done).toBeGreaterThan(0);
      // Every job that got a pull request was recorded before the process exited.
      expect(e2e.github.pulls("acme", "infra").length).toBe(done);
    } finally {
      await e2e.close();
    }
  });
});
