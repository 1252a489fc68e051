import { afterEach, describe, expect, it } from "vitest";
import { plainIssuesOf } from "../fakes/github-state.js";
import { startDaemon, waitFor, type DaemonProcess } from "../support/daemon-process.js";
import { startE2e, type E2eEnvironment } from "../support/e2e.js";

/**
 * `terrafix run` (the daemon process, real SQLite, fake Vanta and GitHub) against the GitHub
 * rules TerraFix meets in the field: a repository with Issues switched off, and a repository
 * renamed after it was configured.
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

interface Line {
  level: number;
  msg: string;
  outcome?: { type: string };
}
const lines = (d: DaemonProcess): Line[] =>
  d
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Line);
const polls = (d: DaemonProcess): number => lines(d).filter((l) => l.msg === "poll finished").length;
const env = (e: E2eEnvironment): NodeJS.ProcessEnv => e.env({ TERRAFIX_DASHBOARD: "true", TERRAFIX_HTTP_PORT: "0", TERRAFIX_POLL_INTERVAL: "1", LOG_LEVEL: "info" });

describe("run mode against a stricter GitHub", () => {
  it("opens its PRs in a repository with Issues disabled and says once that there is no dashboard", async () => {
    const e = (e2e = await startE2e(2));
    e.github.disableIssues("acme", "infra");
    const d = (daemon = startDaemon(env(e)));

    await waitFor(() => e.github.pulls("acme", "infra").length === 2, "two pull requests", d.output);
    // Several cycles after the PRs: each would have tried the dashboard again.
    const after = polls(d);
    await waitFor(() => polls(d) >= after + 3, "three more polls", d.output);

    expect(d.child.exitCode).toBeNull();
    const said = lines(d).filter((l) => l.level >= 40);
    expect(said.map((l) => l.msg)).toEqual(["no dashboard issue in this repository until TerraFix restarts: enable Issues (or the issues permission) for it, or set TERRAFIX_DASHBOARD=false"]);
    expect(lines(d).filter((l) => l.msg === "job finished").map((l) => l.outcome?.type)).toEqual(["pr-opened", "pr-opened"]);
    for (const pull of e.github.pulls("acme", "infra")) expect(pull.labels).toEqual(["terrafix", "compliance"]);
    expect(plainIssuesOf(e.github.repo("acme", "infra"))).toEqual([]);
  });

  it("follows a renamed repository: PRs and the dashboard land in it, with one warning to update the configuration", async () => {
    const e = (e2e = await startE2e(2));
    e.github.renameRepo("acme", "infra", "acme", "infra-core");
    const d = (daemon = startDaemon(env(e)));
    const dashboard = (): string => plainIssuesOf(e.github.repo("acme", "infra-core")).find((i) => i.state === "open")?.body ?? "";

    await waitFor(() => e.github.pulls("acme", "infra-core").length === 2, "two pull requests in the renamed repository", d.output);
    await waitFor(() => /## Open pull requests \(2\)/.test(dashboard()), "the dashboard to list both PRs", d.output);
    const after = polls(d);
    await waitFor(() => polls(d) >= after + 2, "two more polls", d.output);

    for (const pull of e.github.pulls("acme", "infra-core")) expect(dashboard()).toContain(`/acme/infra-core/pull/${pull.number}`);
    const said = lines(d).filter((l) => l.level >= 40);
    expect(said.map((l) => l.msg)).toEqual(["GitHub redirects this repository (renamed or transferred): TerraFix follows the redirect; update TERRAFIX_REPOSITORIES to its new name"]);
  });
});
