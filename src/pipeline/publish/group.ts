import { applyPatch, structuredPatch } from "diff";
import type { ProposedChange } from "../../domain/change.js";
import type { ChangedFile } from "../../domain/change-summary.js";
import { KEY_TRAILER } from "../../domain/pull-request.js";
import { parseMarker, type PrMarker } from "../../domain/proposal.js";
import type { RepositoryRef } from "../../ports/repo-workspace.js";
import type { PublishOutcome, PublishRequest } from "../../ports/publisher.js";
import type { ScmPull } from "../../ports/scm.js";
import { isOwnCommit, type Proposal } from "./content.js";
import { groupedBody, withChange, withMarker, withoutPassingNote, withoutTest } from "./group-body.js";
import type { PolicyContext } from "./policy.js";

/**
 * Two failing tests on one resource go into one PR (Renovate's grouping): the second key's
 * edits are merged into the open PR of the first (a three-way merge of each file against the
 * base the change was computed on), the combined change passes the verification gates again,
 * and the PR lists every test it fixes. When any of that fails, or the PR's last commit is not
 * TerraFix's, the second key gets its own PR as before.
 *
 * Returns undefined when the key is not (and cannot be) part of an open group.
 */
export async function joinOpenGroup(ctx: PolicyContext, request: PublishRequest, proposal: Proposal, open: readonly ScmPull[]): Promise<PublishOutcome | undefined> {
  const marked = open.map((pull) => ({ pull, marker: parseMarker(pull.body) }));
  const member = marked.find((m) => m.marker?.also.some((k) => k.key === request.key) === true);
  if (member?.marker !== undefined) return memberAgain(ctx, request, proposal, member.pull, member.marker);
  if (!ctx.options.groupByResource) return undefined;
  const group = marked.find((m) => m.marker?.version === 2 && m.marker.resource === proposal.resource && m.marker.key !== request.key);
  if (group?.marker === undefined) return undefined;
  const { pull, marker } = group;
  const merged = await mergeIntoBranch(ctx, request, proposal, pull, marker);
  if (typeof merged === "string") return split(ctx, pull, merged);
  const body = groupedBody(pull.body, { ...marker, base: merged.base }, request, proposal);
  await ctx.scm.updatePull(request.repo, pull.number, { body: withChange(body, await groupChange(ctx, request.repo, merged)) });
  ctx.log.info({ url: pull.url, tests: marker.also.length + 2 }, "grouped into the open pull request for the resource");
  return { type: "pr-updated", url: pull.url };
}

/**
 * A key already in a group: its test fails (again). Its edits go back onto a branch rebuilt on
 * a new base (it is `stale`); a test that had passed is no longer counted as passing.
 */
async function memberAgain(ctx: PolicyContext, request: PublishRequest, proposal: Proposal, pull: ScmPull, marker: PrMarker): Promise<PublishOutcome | undefined> {
  const passing = (marker.passing ?? []).filter((k) => k !== request.key);
  if (marker.stale?.includes(request.key) === true) {
    const merged = await mergeIntoBranch(ctx, request, proposal, pull, marker);
    if (typeof merged === "string") {
      // It no longer fits the rebuilt branch: out of the group, into a PR of its own.
      const rest = { ...marker, passing, also: marker.also.filter((k) => k.key !== request.key), stale: marker.stale.filter((k) => k !== request.key) };
      await ctx.scm.updatePull(request.repo, pull.number, { body: withMarker(withoutTest(pull.body, request.failure.testId), rest) });
      return split(ctx, pull, merged);
    }
    const next: PrMarker = {
      ...marker,
      base: merged.base,
      passing,
      also: marker.also.map((k) => (k.key === request.key ? { key: k.key, fingerprint: proposal.fingerprint } : k)),
      stale: marker.stale.filter((k) => k !== request.key),
    };
    const body = withMarker(withoutPassingNote(pull.body, request.key), next);
    await ctx.scm.updatePull(request.repo, pull.number, { body: withChange(body, await groupChange(ctx, request.repo, merged)) });
    ctx.log.info({ url: pull.url }, "edits re-applied to the group's rebuilt branch");
    return { type: "pr-updated", url: pull.url };
  }
  if (passing.length !== (marker.passing ?? []).length) {
    await ctx.scm.updatePull(request.repo, pull.number, { body: withMarker(withoutPassingNote(pull.body, request.key), { ...marker, passing }) });
  }
  return { type: "pr-exists", url: pull.url };
}

function split(ctx: PolicyContext, pull: ScmPull, why: string): undefined {
  ctx.log.info({ group: pull.url, why }, "not grouped with the open pull request for the resource; a PR of its own");
  return undefined;
}

/**
 * The key's edits merged three-way into the group's branch (against the base the change was
 * computed on), re-verified as one change, and committed on top. Returns why not, as text.
 */
async function mergeIntoBranch(ctx: PolicyContext, request: PublishRequest, proposal: Proposal, pull: ScmPull, marker: PrMarker): Promise<{ base: string; head: string } | string> {
  const head = await ctx.scm.branchHead(request.repo, pull.head);
  if (!isOwnCommit(head, marker.key)) return "its last commit is not TerraFix's";
  const files: ProposedChange["files"] = [];
  for (const file of request.change.files) {
    const current = (await ctx.scm.readFile(request.repo, { commit: head.sha }, file.path)) ?? "";
    const merged = current === file.before ? file.after : mergeThreeWay(file.before, current, file.after);
    if (merged === undefined) return `the edits to ${file.path} do not merge`;
    files.push({ path: file.path, before: file.before, after: merged });
  }
  const combined: ProposedChange = { ...request.change, files };
  if (request.reverify !== undefined) {
    const report = await request.reverify(combined);
    if (!report.passed) return `the combined change fails ${report.checks.filter((c) => c.status === "fail").map((c) => c.name).join(", ")}`;
  }
  const written = await ctx.scm.writeBranch(request.repo, {
    branch: pull.head,
    baseSha: head.sha,
    files: files.map((f) => ({ path: f.path, content: f.after })),
    // Both keys' trailers: the branch's last commit stays TerraFix's own for the PR's key too.
    message: `${proposal.message.replace(/\n+$/, "")}\n${KEY_TRAILER}: ${marker.key}\n`,
    replaces: head.sha,
  });
  // The base the group is built on: recorded once (the first commit's parent), then kept.
  return { base: marker.base ?? head.parents[0] ?? "", head: written.sha };
}

/**
 * What the group's branch changes, as the PR's body shows it: every path that differs between
 * the base the group is built on and the branch's new head, with both contents. Undefined (the
 * body keeps its table) when the base is unknown.
 */
export async function groupChange(ctx: PolicyContext, repo: RepositoryRef, at: { base: string; head: string }): Promise<ChangedFile[] | undefined> {
  if (!/^[0-9a-f]{40}$/.test(at.base) || at.head === "") return undefined;
  const files: ChangedFile[] = [];
  for (const path of [...(await ctx.scm.changedPaths(repo, at.base, at.head))].sort()) {
    const before = (await ctx.scm.readFile(repo, { commit: at.base }, path)) ?? "";
    const after = (await ctx.scm.readFile(repo, { commit: at.head }, path)) ?? "";
    files.push({ path, before, after });
  }
  return files;
}

/**
 * Applies the base→theirs edits to ours (context lines located with fuzz, as `patch` does);
 * undefined when they do not apply or an added line went missing.
 */
export function mergeThreeWay(base: string, ours: string, theirs: string): string | undefined {
  const patch = structuredPatch("file", "file", base, theirs, undefined, undefined, { context: 3 });
  const result = applyPatch(ours, patch, { fuzzFactor: 3 });
  if (result === false) return undefined;
  const have = new Set(result.split("\n"));
  const added = patch.hunks.flatMap((h) => h.lines.filter((l) => l.startsWith("+")).map((l) => l.slice(1)));
  return added.every((line) => have.has(line)) ? result : undefined;
}
