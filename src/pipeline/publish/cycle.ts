import { coerceError } from "../../errors.js";
import { parseMarker } from "../../domain/proposal.js";
import type { Logger } from "../../observability/logger.js";
import { repoSlug, type RepositoryRef } from "../../ports/repo-workspace.js";
import type { Scm, ScmPull } from "../../ports/scm.js";
import type { JobRecord, StateStore } from "../../ports/state-store.js";
import { isOwnCommit } from "./content.js";
import { checkedActions, dashboardItem, readDashboard, upsertDashboard, type DashboardItem } from "./dashboard.js";
import { isTerraFixPull } from "./limits.js";
import { MARKERS, UNDO_DECLINE_LABEL } from "./lineage.js";
import type { RebaseWhen } from "./policy.js";
import { baseTrouble } from "./update.js";

export interface CycleOptions {
  scm: Scm;
  store: StateStore;
  repositories: readonly RepositoryRef[];
  maxOpenPrs: number;
  rebaseWhen: RebaseWhen;
  dashboard: boolean;
  logger: Logger;
  now?: () => Date;
}

export interface PublishCycle {
  /** Before a cycle's jobs: act on dashboard boxes, re-check open PRs, free deferred work. */
  beforeJobs(): Promise<void>;
  /** After a cycle's jobs (and on the poll timer while polls fail): refresh the dashboards. */
  afterJobs(): Promise<void>;
}

/**
 * The per-cycle upkeep of what TerraFix has already published, as Renovate's repository worker
 * does on each run: finished jobs are looked at again. Each step works per repository and only
 * logs its errors, so one bad repository never stops the cycle. Work is handed back to the
 * pipeline by requeueing keys, so every change still goes through the same stages and gates.
 */
export function createPublishCycle(options: CycleOptions): PublishCycle {
  const log = options.logger.child({ component: "publish-cycle" });
  const { scm, store } = options;
  const now = options.now ?? (() => new Date());
  const enabled = scm.mode === "pull-requests";

  /**
   * Repositories whose dashboard cannot work until someone changes a setting (a `config` error:
   * Issues disabled, or no permission on issues): said once, then left alone until TerraFix
   * restarts, so the jobs and the cycle go on without a warning every poll.
   */
  const noDashboard = new Set<string>();
  function dashboardFailed(repo: RepositoryRef, error: unknown): void {
    const err = coerceError(error, "publish");
    const slug = repoSlug(repo);
    if (err.kind !== "config") {
      log.warn({ repo: slug, err }, "updating the dashboard issue failed");
      return;
    }
    noDashboard.add(slug);
    log.warn({ repo: slug, err }, "no dashboard issue in this repository until TerraFix restarts: enable Issues (or the issues permission) for it, or set TERRAFIX_DASHBOARD=false");
  }

  async function requeue(keys: readonly string[], why: string): Promise<void> {
    if (keys.length === 0) return;
    const count = await store.requeue({ keys: [...new Set(keys)] }, now(), false);
    log.info({ keys: keys.map((k) => k.slice(0, 10)), count, why }, "jobs requeued");
  }

  /** Ticked boxes: retry requeues the key; undo decline labels the declined PR, then requeues. */
  async function actOnDashboard(repo: RepositoryRef): Promise<void> {
    const dashboard = await readDashboard(scm, repo);
    if (dashboard === undefined) return;
    const actions = checkedActions(dashboard.body);
    for (const { action, key } of actions) {
      if (action === "undo-decline") {
        const record = await store.get(key);
        const number = pullNumber(record?.prUrl ?? null);
        if (number !== undefined) await scm.addLabels(repo, number, [UNDO_DECLINE_LABEL]);
      }
    }
    await requeue(actions.map((a) => a.key), "dashboard checkbox");
  }

  /** Open TerraFix PRs whose base moved: rebase ours (requeue), comment once on a human's. */
  async function recheckOpen(repo: RepositoryRef, open: ScmPull[]): Promise<void> {
    if (options.rebaseWhen === "never") return;
    const base = await scm.base(repo, { branch: "", sha: "" });
    const stale: string[] = [];
    const restale: string[] = [];
    for (const pull of open) {
      const marker = parseMarker(pull.body);
      if (marker === undefined) continue;
      // Members of a group rebuilt on a new base put their edits back through their own jobs.
      restale.push(...(marker.stale ?? []));
      const head = await scm.branchHead(repo, pull.head);
      const builtOn = marker.also.length > 0 ? (marker.base ?? head?.parents[0]) : head?.parents[0];
      if (head === undefined || builtOn === base.head) continue;
      const status = options.rebaseWhen === "conflicted" || !isOwnCommit(head, marker.key) ? await scm.mergeStatus(repo, pull.number) : undefined;
      const trouble = status === undefined ? undefined : baseTrouble(status);
      const conflicted = trouble === "conflicted";
      if (!isOwnCommit(head, marker.key)) {
        if (conflicted && !(await scm.comments(repo, pull.number)).some((c) => c.includes(MARKERS.conflicted))) {
          await scm.comment(repo, pull.number, `${MARKERS.conflicted}\nThis pull request conflicts with the base branch. It has commits that TerraFix did not make, so TerraFix will not rebase it: please resolve the conflict.`);
        }
        continue;
      }
      if (options.rebaseWhen === "behind-base" || trouble !== undefined) stale.push(marker.key);
    }
    await requeue(stale, options.rebaseWhen === "behind-base" ? "base moved" : "conflicts with the base, or is behind a base that requires up-to-date branches");
    await requeue(restale, "its group was rebuilt on a new base");
  }

  /** Work held back by the open-PR limit runs as soon as a slot is free, not after a fixed wait. */
  async function freeSlots(open: ScmPull[], deferred: JobRecord[]): Promise<void> {
    const free = options.maxOpenPrs - open.length;
    if (free <= 0) return;
    const waiting = deferred.filter((r) => r.outcome?.type === "deferred" && /open pull request limit/.test(r.outcome.reason));
    await requeue(waiting.slice(0, free).map((r) => r.key), "an open pull request slot is free");
  }

  return {
    async beforeJobs() {
      if (!enabled) return;
      const deferred = await store.list({ status: "deferred", limit: 5000 });
      const openUrls = new Set<string>();
      let complete = true;
      for (const repo of options.repositories) {
        if (options.dashboard && !noDashboard.has(repoSlug(repo))) {
          // Its own step: a dashboard that cannot be read must not stop the re-check of the PRs.
          try {
            await actOnDashboard(repo);
          } catch (error) {
            dashboardFailed(repo, error);
          }
        }
        try {
          const open = (await scm.listPulls(repo, { state: "open" })).filter(isTerraFixPull);
          for (const pull of open) openUrls.add(pull.url);
          await recheckOpen(repo, open);
          await freeSlots(open, deferred);
        } catch (error) {
          complete = false;
          log.warn({ repo: repoSlug(repo), err: coerceError(error, "publish") }, "re-checking published work failed");
        }
      }
      // A finished job whose PR is no longer open (merged, or closed) while Vanta ran the test
      // again and still reports it failing is looked at again: a merge that was reverted, or a
      // fix that did not take, gets a new proposal; a decline stays a decline.
      if (complete) {
        const done = await store.list({ status: "done", limit: 5000 });
        await requeue(done.filter((r) => failingAgain(r, openUrls)).map((r) => r.key), "failing again after its pull request ended");
      }
    },
    async afterJobs() {
      if (!enabled || !options.dashboard) return;
      if (options.repositories.length === 0) return;
      const items = (await store.list({ limit: 5000 })).map(dashboardItem).filter((i): i is DashboardItem => i !== undefined);
      for (const repo of options.repositories) {
        if (noDashboard.has(repoSlug(repo))) continue;
        const mine = items.filter((i) => dashboardOf(i, options.repositories) === repo);
        try {
          await upsertDashboard(scm, repo, mine);
        } catch (error) {
          dashboardFailed(repo, error);
        }
      }
    },
  };
}

/**
 * Items with a PR go to its repository; the others (no PR yet), and PRs of no configured
 * repository (one renamed since: GitHub's URLs carry the new name), to the first one.
 */
function dashboardOf(item: DashboardItem, repositories: readonly RepositoryRef[]): RepositoryRef | undefined {
  const url = item.url;
  return (url === undefined ? undefined : repositories.find((repo) => url.includes(`/${repoSlug(repo)}/`))) ?? repositories[0];
}

/** Its PR ended (or "already passes": the merged fix is in the code) and Vanta ran the test since. */
function failingAgain(record: JobRecord, openUrls: ReadonlySet<string>): boolean {
  const o = record.outcome;
  const withPr = (o?.type === "pr-opened" || o?.type === "pr-updated" || o?.type === "pr-exists") && !openUrls.has(o.url);
  const settled = withPr || o?.type === "merged" || (o?.type === "no-match" && o.reason.startsWith("the matched block already passes"));
  if (!settled || record.finishedAt === null) return false;
  const ran = Date.parse(record.failure.lastTestRunDate ?? "");
  return Number.isFinite(ran) && ran > record.finishedAt.getTime();
}

function pullNumber(url: string | null): number | undefined {
  const match = /\/pull\/(\d+)(?:$|[?#])/.exec(url ?? "");
  return match === null ? undefined : Number(match[1]);
}
