import { afterEach, describe, expect, it } from "vitest";
import { plainIssuesOf } from "../fakes/github-state.js";
import { startDaemon, waitFor, type DaemonProcess } from "../support/daemon-process.js";
import { startE2e, type E2eEnvironment } from "../support/e2e.js";

/**
 * The dashboard in `run` mode (the daemon process, real SQLite, fake Vanta and GitHub): it is
 * refreshed once the cycle's jobs have finished, not right after the poll, and it stays
 * current on the poll timer while polls fail.
 */
let e2e: E2eEnvironment | undefined;
let daemon: DaemonProcess | undefined;
afterEach(async () => {
  if (daemon !== undefined && daemon.child.exitCode === null) {
    daemon.child.kill("SIGTERM");
    await daemon.exited;
  }
  daemon = undefined;
  await e2e?.close();
  e2e = undefined;
});

function dashboard(e: E2eEnvironment): string {
  return plainIssuesOf(e.github.repo("acme", "infra")).find((i) => i.state === "open")?.body ?? "";
}

const polls = (d: DaemonProcess): number => d.output().split("\n").filter((l) => l.includes('"msg":"poll finished"')).length;

describe("run mode: the dashboard after the jobs", () => {
  it("shows the first cycle's pull requests after its jobs finish, with no second poll", async () => {
    e2e = await startE2e(3);
    e2e.github.setLatency(30);
    const env = e2e.env({ TERRAFIX_DASHBOARD: "true", TERRAFIX_HTTP_PORT: "0", TERRAFIX_POLL_INTERVAL: "3600", TERRAFIX_CONCURRENCY: "2", LOG_LEVEL: "info" });
    const d = (daemon = startDaemon(env));
    const e = e2e;

    await waitFor(() => e.github.pulls("acme", "infra").length === 3, "three pull requests", d.output);
    await waitFor(() => /## Open pull requests \(3\)/.test(dashboard(e)), "the dashboard to list the three PRs", d.output);

    expect(polls(d)).toBe(1);
    for (const pull of e.github.pulls("acme", "infra")) expect(dashboard(e)).toContain(`/acme/infra/pull/${pull.number}`);
  });

  it("is refreshed on the poll timer while every poll fails", async () => {
    e2e = await startE2e(1);
    const e = e2e;
    // The first attempt to open the PR fails (GitHub 503 on every try of that attempt): the job is retried later.
    e.github.setFault({ method: "POST", path: /\/pulls$/, type: "status", status: 503, times: 4 });
    const env = e.env({
      TERRAFIX_DASHBOARD: "true",
      TERRAFIX_HTTP_PORT: "0",
      TERRAFIX_POLL_INTERVAL: "1",
      TERRAFIX_RETRY_BASE_SECONDS: "1",
      VANTA_MAX_ATTEMPTS: "1",
      LOG_LEVEL: "info",
    });
    const d = (daemon = startDaemon(env));
    await waitFor(() => d.output().includes('"msg":"job finished"'), "the first (failed) attempt", d.output);
    expect(e.github.pulls("acme", "infra")).toHaveLength(0);

    // Vanta goes down for good; the retry still runs (claim loop) and opens the PR.
    // A poll already in flight when the fault is set may still succeed: count from the first failed one.
    e.vanta.setFault({ route: "any", status: 500, times: 1_000_000 });
    const outageStart = d.output().length;
    await waitFor(() => d.output().slice(outageStart).includes("poll failed"), "a poll to fail in the outage", d.output);
    const before = polls(d);
    await waitFor(() => e.github.pulls("acme", "infra").length === 1, "the retried job to open its PR", d.output);
    await waitFor(() => /## Open pull requests \(1\)/.test(dashboard(e)), "the dashboard to show the PR during the outage", d.output);

    expect(polls(d)).toBe(before);
    expect(d.output()).toContain("poll failed");
    expect(dashboard(e)).toContain(`/acme/infra/pull/${e.github.pulls("acme", "infra")[0]!.number}`);
  });
});
