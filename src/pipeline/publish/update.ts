import { titleHash, type PrMarker } from "../../domain/proposal.js";
import type { PublishOutcome, PublishRequest } from "../../ports/publisher.js";
import type { MergeStatus, ScmPull } from "../../ports/scm.js";
import { bodyOf, committedFingerprint, isOwnCommit, type Proposal } from "./content.js";
import { groupChange } from "./group.js";
import { withChange, withMarker } from "./group-body.js";
import { MARKERS, recordedFingerprint } from "./lineage.js";
import type { PolicyContext } from "./policy.js";

/**
 * An open TerraFix PR for the key. Nothing is pushed unless something changed: the proposed
 * edits differ from what the branch holds, or the branch must move to the new base (it
 * conflicts, or it is behind and `rebaseWhen` is `behind-base`). Only a branch whose last commit
 * is TerraFix's is ever moved; otherwise TerraFix comments once and leaves it. The title is
 * changed only while it is still the one TerraFix set (a human's title edit survives).
 */
export async function updateOpen(
  ctx: PolicyContext,
  request: PublishRequest,
  proposal: Proposal,
  pull: ScmPull,
  marker: PrMarker | undefined,
  generation: number,
): Promise<PublishOutcome> {
  const { scm } = ctx;
  const head = await scm.branchHead(request.repo, pull.head);
  const ours = isOwnCommit(head, request.key);
  const recorded = recordedFingerprint(marker, request.key);
  // A PR that groups several tests holds several changes: judged by the marker, never rewritten.
  const grouped = (marker?.also.length ?? 0) > 0;
  // What the branch holds: its commit trailer (the truth), else the body marker (older versions).
  const held = ours && !grouped ? committedFingerprint(head) : undefined;
  const same =
    held !== undefined
      ? held === proposal.fingerprint
      : recorded !== undefined && recorded.fingerprint === (recorded.legacy ? proposal.legacyHash : proposal.fingerprint);
  const base = await scm.base(request.repo, { branch: request.checkout.defaultBranch, sha: request.checkout.headSha });
  // Only rebase onto the platform's current head, never onto an older checkout. A group's last
  // commit is a member's, so its base is the one the marker records.
  const builtOn = grouped ? (marker?.base ?? head?.parents[0]) : head?.parents[0];
  const onOldBase = ours && base.sha === base.head && builtOn !== base.sha;
  const rebase = onOldBase && (await wantsRebase(ctx, request, pull.number));

  if (grouped && ours && marker !== undefined) {
    if (rebase) return rebuildGroup(ctx, request, proposal, pull, marker, { head: head.sha, base: base.sha });
    if (ctx.options.rebaseWhen === "never" && (await conflicted(ctx, request, pull.number))) {
      await commentOnce(ctx, request, pull.number, MARKERS.conflicted,
        "This pull request conflicts with the base branch. TERRAFIX_REBASE_WHEN is `never`, so TerraFix does not rebase it: please resolve the conflict, or close it and TerraFix proposes the fixes again.");
    }
    if (!same) ctx.log.info({ url: pull.url }, "grouped pull request: a different change for one of its tests is not pushed");
    return { type: "pr-exists", url: pull.url };
  }
  if (!ours) {
    if (!same) {
      await commentOnce(ctx, request, pull.number, MARKERS.humanCommits,
        "TerraFix has a different fix for this failing test, but this branch has commits that TerraFix did not make, so it was left unchanged. " +
          "Close this pull request and delete the branch if you want TerraFix to propose its fix again.");
      ctx.log.info({ url: pull.url }, "pull request has foreign commits; left unchanged");
    } else if (await conflicted(ctx, request, pull.number)) {
      await commentOnce(ctx, request, pull.number, MARKERS.conflicted,
        "This pull request conflicts with the base branch. It has commits that TerraFix did not make, so TerraFix will not rebase it: please resolve the conflict.");
    }
    return { type: "pr-exists", url: pull.url };
  }

  const bodyCurrent = marker?.version === 2 && recorded?.fingerprint === proposal.fingerprint && marker.generation === generation;
  if (same && !rebase && bodyCurrent) return { type: "pr-exists", url: pull.url };

  if (!same || rebase) {
    await scm.writeBranch(request.repo, { branch: pull.head, baseSha: base.sha, files: proposal.files, message: proposal.message, replaces: head.sha });
  }
  // A title TerraFix set (its hash is in the marker) may follow the change; a human's stays, and
  // the marker keeps the old hash so that later cycles leave it alone too.
  const titleIsOurs = marker?.titleHash !== undefined && marker.titleHash === titleHash(pull.title);
  const title = titleIsOurs ? proposal.title : pull.title;
  const recordedTitle = titleIsOurs ? titleHash(proposal.title) : (marker?.titleHash ?? titleHash(pull.title));
  const body = bodyOf(request, proposal, { generation, titleHash: recordedTitle, vantaAppUrl: ctx.options.vantaAppUrl, also: marker?.also ?? [] });
  await scm.updatePull(request.repo, pull.number, { ...(title !== pull.title ? { title } : {}), body });
  const what = !same ? "change updated" : rebase ? "rebased on the new base" : "body restored";
  ctx.log.info({ url: pull.url, what }, "pull request updated");
  return { type: "pr-updated", url: pull.url };
}

/**
 * A group on an old base: the branch is rebuilt on the new base with this (the PR's own) key's
 * regenerated change, and the other members' keys are marked `stale`: each of their jobs (the
 * cycle requeues them) merges its own regenerated change back in, through the same gates.
 */
async function rebuildGroup(ctx: PolicyContext, request: PublishRequest, proposal: Proposal, pull: ScmPull, marker: PrMarker, at: { head: string; base: string }): Promise<PublishOutcome> {
  const written = await ctx.scm.writeBranch(request.repo, { branch: pull.head, baseSha: at.base, files: proposal.files, message: proposal.message, replaces: at.head });
  const passing = new Set(marker.passing ?? []);
  const stale = marker.also.map((k) => k.key).filter((k) => !passing.has(k));
  // The body shows what the rebuilt branch holds now, and names the members still to come back.
  const body = withMarker(pull.body, { ...marker, fingerprint: proposal.fingerprint, stale, base: at.base });
  await ctx.scm.updatePull(request.repo, pull.number, { body: withChange(body, await groupChange(ctx, request.repo, { base: at.base, head: written.sha })) });
  ctx.log.info({ url: pull.url, stale: stale.length }, "grouped pull request rebuilt on the new base");
  return { type: "pr-updated", url: pull.url };
}

/**
 * `rebaseWhen`: `conflicted` (default) asks the platform and moves the branch when it conflicts,
 * or when GitHub reports it `behind` (it does so only when the base's protection requires
 * up-to-date branches, so the PR cannot be merged without moving: Renovate's `auto`);
 * `behind-base` moves on every new base; `never` leaves the branch where it is.
 */
async function wantsRebase(ctx: PolicyContext, request: PublishRequest, number: number): Promise<boolean> {
  switch (ctx.options.rebaseWhen) {
    case "never":
      return false;
    case "behind-base":
      return true;
    case "conflicted":
      return baseTrouble(await ctx.scm.mergeStatus(request.repo, number)) !== undefined;
  }
}

async function conflicted(ctx: PolicyContext, request: PublishRequest, number: number): Promise<boolean> {
  return baseTrouble(await ctx.scm.mergeStatus(request.repo, number)) === "conflicted";
}

/**
 * What the platform's merge status says about the base: a conflict (`dirty`, mergeable false),
 * `behind` (merge blocked until the branch is up to date), or nothing (clean, or still being
 * computed: `mergeable: null` is no answer, the next cycle asks again).
 */
export function baseTrouble(status: MergeStatus): "conflicted" | "behind" | undefined {
  if (status.mergeable === false || status.state === "dirty") return "conflicted";
  if (status.state === "behind") return "behind";
  return undefined;
}

export async function commentOnce(ctx: PolicyContext, request: Pick<PublishRequest, "repo">, number: number, marker: string, text: string): Promise<boolean> {
  const comments = await ctx.scm.comments(request.repo, number);
  if (comments.some((body) => body.includes(marker))) return false;
  await ctx.scm.comment(request.repo, number, `${marker}\n${text}`);
  return true;
}
