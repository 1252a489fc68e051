import { generationBranch, titleHash } from "../../domain/proposal.js";
import { TerraFixError } from "../../errors.js";
import type { Logger } from "../../observability/logger.js";
import type { PublishOutcome, PublishRequest } from "../../ports/publisher.js";
import type { Scm } from "../../ports/scm.js";
import { aboutOf, bodyOf, isOwnCommit, proposalOf, splitReviewers, type Proposal } from "./content.js";
import { checkPrLimits } from "./limits.js";
import { findLineage, recordedFingerprint, type Lifecycle } from "./lineage.js";
import { updateOpen } from "./update.js";

export type RebaseWhen = "conflicted" | "behind-base" | "never";

export interface PublishPolicyOptions {
  labels: string[];
  reviewers: string[];
  /** Reviewers that are teams (slugs, or `org/team`); `org/team` in `reviewers` is a team too. */
  teamReviewers: string[];
  assignees: string[];
  maxPrsPerHour: number;
  maxOpenPrs: number;
  /** When work held back by the open-PR limit is tried again (the next cycle). */
  recheckMs: number;
  rebaseWhen: RebaseWhen;
  vantaAppUrl: string;
  logger: Logger;
  now?: () => Date;
}

export interface PolicyContext {
  scm: Scm;
  options: PublishPolicyOptions;
  log: Logger;
  now: () => Date;
}

/**
 * The pull-request policy (ARCHITECTURE.md "Identity and idempotency"), the same for every
 * platform: find the key's newest proposal in any state and decide from its lifecycle.
 *
 * - none -> open generation 1 (within the limits)
 * - open -> leave it, or update it (change differs, or it conflicts / is behind per
 *   `rebaseWhen`) when its last commit is ours; a human commit -> comment once, never push
 * - declined (closed by a human) -> held while the proposed change is the same; a different
 *   change, or "undo decline" on the dashboard -> a new proposal
 * - resolved (closed by TerraFix when the test passed) -> failing again: a new proposal
 * - merged -> done, unless the test ran again after the merge and still fails: a new proposal
 *   (next generation) that says it replaces the merged one
 */
export async function publishWithPolicy(ctx: PolicyContext, request: PublishRequest): Promise<PublishOutcome> {
  const proposal = proposalOf(request);
  if (ctx.scm.mode === "record") return record(ctx, request, proposal);
  if (ctx.scm.mode === "branches") return commitOnly(ctx, request, proposal);

  const lineage = await findLineage(ctx.scm, request.repo, request.branch);
  const latest = lineage.latest;
  const next = lineage.generation + 1;
  switch (latest.state) {
    case "none":
      return open(ctx, request, proposal, 1);
    case "open":
      return updateOpen(ctx, request, proposal, latest.pull, latest.marker, lineage.generation);
    case "declined": {
      if (!latest.undone && sameChange(latest, request.key, proposal)) {
        return { type: "declined", url: latest.pull.url, reason: "closed without merging by a human; the proposed change is unchanged" };
      }
      const why = latest.undone ? "its decline was undone from the dashboard" : "the proposed change differs from the declined one";
      return open(ctx, request, proposal, next, `Replaces #${latest.pull.number} (closed without merging; ${why}).`);
    }
    case "resolved":
      return open(ctx, request, proposal, next, `Replaces #${latest.pull.number}, which TerraFix closed when the test passed; the test fails again.`);
    case "merged": {
      const mergedAt = Date.parse(latest.pull.mergedAt ?? "");
      const ranAt = Date.parse(request.failure.lastTestRunDate ?? "");
      // Vanta has not run the test since the merge (or the fix is not applied yet): done.
      if (!(Number.isFinite(ranAt) && Number.isFinite(mergedAt) && ranAt > mergedAt)) return { type: "merged", url: latest.pull.url };
      return open(ctx, request, proposal, next, `Replaces #${latest.pull.number}, merged on ${latest.pull.mergedAt ?? "?"}; the test failed again after the merge (a revert, or a change elsewhere).`);
    }
  }
}

function sameChange(latest: Extract<Lifecycle, { pull: unknown }>, key: string, proposal: Proposal): boolean {
  const recorded = recordedFingerprint(latest.marker, key);
  // A PR on our branch without our marker (a human's PR, or the marker was edited away) was
  // still closed on purpose: keep it declined.
  if (recorded === undefined) return true;
  return recorded.fingerprint === (recorded.legacy ? proposal.legacyHash : proposal.fingerprint);
}

/** Opens a proposal of `generation` (limits first: an update never counts against them). */
async function open(ctx: PolicyContext, request: PublishRequest, proposal: Proposal, generation: number, replaces?: string): Promise<PublishOutcome> {
  const { scm, options } = ctx;
  const branch = generationBranch(request.branch, generation);
  const verdict = await checkPrLimits(scm, request.repo, { maxPrsPerHour: options.maxPrsPerHour, maxOpenPrs: options.maxOpenPrs, now: ctx.now, recheckMs: options.recheckMs });
  if (!verdict.allowed) {
    ctx.log.info({ branch, reason: verdict.reason, until: verdict.until }, "pull request deferred");
    return { type: "deferred", reason: verdict.reason, until: verdict.until };
  }
  const base = await scm.base(request.repo, { branch: request.checkout.defaultBranch, sha: request.checkout.headSha });
  const head = await scm.branchHead(request.repo, branch);
  if (head !== undefined && !isOwnCommit(head, request.key)) {
    throw new TerraFixError(`branch ${branch} exists with commits not made by TerraFix; leaving it alone`, { kind: "permanent", stage: "publish" });
  }
  await scm.writeBranch(request.repo, { branch, baseSha: base.sha, files: proposal.files, message: proposal.message, ...(head === undefined ? {} : { replaces: head.sha }) });
  const body = bodyOf(request, proposal, { generation, titleHash: titleHash(proposal.title), vantaAppUrl: options.vantaAppUrl, ...(replaces === undefined ? {} : { replaces }) });
  const { pull, created } = await scm.openPull(request.repo, { title: proposal.title, body, head: branch, base: base.branch, about: aboutOf(request) });
  if (!created) return { type: "pr-exists", url: pull.url };
  await decorate(ctx, request, pull.number);
  ctx.log.info({ url: pull.url, generation, replaces }, "pull request opened");
  return { type: "pr-opened", url: pull.url };
}

/** Labels, reviewers (people and teams apart) and assignees: a refusal warns, never fails the PR. */
async function decorate(ctx: PolicyContext, request: PublishRequest, number: number): Promise<void> {
  const { scm, options } = ctx;
  const steps: [string, () => Promise<unknown>][] = [
    ["labels", () => scm.addLabels(request.repo, number, union(options.labels, request.labels))],
    [
      "reviewers",
      async () => {
        const { refused } = await scm.requestReviewers(request.repo, number, splitReviewers(union(options.reviewers, request.reviewers), options.teamReviewers));
        for (const r of refused) ctx.log.warn({ pr: number, reviewer: r.name, reason: r.reason }, "reviewer could not be requested");
      },
    ],
    ["assignees", () => scm.addAssignees(request.repo, number, options.assignees)],
  ];
  for (const [what, step] of steps) {
    try {
      await step();
    } catch (error) {
      // Rate limits and outages must reach the caller; a bad name must not fail the PR.
      if (error instanceof TerraFixError && error.retryable) throw error;
      ctx.log.warn({ what, pr: number, err: error }, "pull request decoration failed");
    }
  }
}

/** Dry run: the platform records the would-be PR (the JSON file contract); nothing is read. */
async function record(ctx: PolicyContext, request: PublishRequest, proposal: Proposal): Promise<PublishOutcome> {
  const base = await ctx.scm.base(request.repo, { branch: request.checkout.defaultBranch, sha: request.checkout.headSha });
  await ctx.scm.writeBranch(request.repo, { branch: request.branch, baseSha: base.sha, files: proposal.files, message: proposal.message });
  const body = bodyOf(request, proposal, { generation: 1, titleHash: titleHash(proposal.title), vantaAppUrl: ctx.options.vantaAppUrl });
  const { pull } = await ctx.scm.openPull(request.repo, { title: proposal.title, body, head: request.branch, base: base.branch, about: aboutOf(request) });
  return { type: "dry-run", path: pull.url };
}

/** Local git: the branch is the proposal; a human commit on it is never replaced. */
async function commitOnly(ctx: PolicyContext, request: PublishRequest, proposal: Proposal): Promise<PublishOutcome> {
  const { scm } = ctx;
  const base = await scm.base(request.repo, { branch: request.checkout.defaultBranch, sha: request.checkout.headSha });
  const head = await scm.branchHead(request.repo, request.branch);
  if (head !== undefined && !isOwnCommit(head, request.key)) {
    ctx.log.info({ branch: request.branch }, "branch has commits TerraFix did not make; left unchanged");
    return { type: "committed", branch: request.branch };
  }
  if (head !== undefined && head.parents[0] === base.sha && head.message === proposal.message) return { type: "committed", branch: request.branch };
  await scm.writeBranch(request.repo, { branch: request.branch, baseSha: base.sha, files: proposal.files, message: proposal.message, ...(head === undefined ? {} : { replaces: head.sha }) });
  ctx.log.info({ branch: request.branch, files: proposal.files.length }, "change committed on branch");
  return { type: "committed", branch: request.branch };
}

/** Configured values plus the repository's own (.terrafix.yml), without duplicates. */
export function union(configured: readonly string[], extra: readonly string[] | undefined): string[] {
  return [...new Set([...configured, ...(extra ?? [])])];
}
