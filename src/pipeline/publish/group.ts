import { applyPatch, structuredPatch } from "diff";
import type { ProposedChange } from "../../domain/change.js";
import { escapeMarkdown, markdownCode } from "../../domain/markdown.js";
import { KEY_TRAILER } from "../../domain/pull-request.js";
import { fixesTrailer, parseMarker, renderMarker, type PrMarker } from "../../domain/proposal.js";
import type { PublishOutcome, PublishRequest } from "../../ports/publisher.js";
import type { ScmPull } from "../../ports/scm.js";
import { isOwnCommit, type Proposal } from "./content.js";
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
  await ctx.scm.updatePull(request.repo, pull.number, { body: groupedBody(pull.body, { ...marker, base: merged.base }, request, proposal) });
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
    await ctx.scm.updatePull(request.repo, pull.number, { body: withMarker(withoutPassingNote(pull.body, request.key), next) });
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
async function mergeIntoBranch(ctx: PolicyContext, request: PublishRequest, proposal: Proposal, pull: ScmPull, marker: PrMarker): Promise<{ base: string } | string> {
  const head = await ctx.scm.branchHead(request.repo, pull.head);
  if (!isOwnCommit(head, marker.key)) return "its last commit is not TerraFix's";
  const files: ProposedChange["files"] = [];
  for (const file of request.change.files) {
    const current = (await ctx.scm.readFile(request.repo, pull.head, file.path)) ?? "";
    const merged = current === file.before ? file.after : mergeThreeWay(file.before, current, file.after);
    if (merged === undefined) return `the edits to ${file.path} do not merge`;
    files.push({ path: file.path, before: file.before, after: merged });
  }
  const combined: ProposedChange = { ...request.change, files };
  if (request.reverify !== undefined) {
    const report = await request.reverify(combined);
    if (!report.passed) return `the combined change fails ${report.checks.filter((c) => c.status === "fail").map((c) => c.name).join(", ")}`;
  }
  await ctx.scm.writeBranch(request.repo, {
    branch: pull.head,
    baseSha: head.sha,
    files: files.map((f) => ({ path: f.path, content: f.after })),
    // Both keys' trailers: the branch's last commit stays TerraFix's own for the PR's key too.
    message: `${proposal.message.replace(/\n+$/, "")}\n${KEY_TRAILER}: ${marker.key}\n`,
    replaces: head.sha,
  });
  // The base the group is built on: recorded once (the first commit's parent), then kept.
  return { base: marker.base ?? head.parents[0] ?? "" };
}

/** The body with its first-line marker replaced. */
export function withMarker(body: string, marker: PrMarker): string {
  return `${renderMarker(marker)}${body.replace(/^<!-- terrafix:v2 [^\n]*-->/, "")}`;
}

const passingNote = (key: string): string => `<!-- terrafix:passing key=${key} -->`;

/** A group member's test passes: recorded in the marker and said in the body. */
export function withPassing(body: string, marker: PrMarker, key: string, testName: string): string {
  const passing = [...new Set([...(marker.passing ?? []), key])];
  const note = `${passingNote(key)} ✅ Vanta now reports **${escapeMarkdown(testName)}** passing; this pull request stays open for the other tests it fixes.`;
  const text = withoutPassingNote(body, key).replace(/\s*$/, "");
  const trailerAt = text.search(/\nFixes: test-[^\n]*(\nFixes: test-[^\n]*)*$/);
  const main = trailerAt === -1 ? text : text.slice(0, trailerAt);
  const trailer = trailerAt === -1 ? "" : text.slice(trailerAt);
  return withMarker(`${main.replace(/\s*$/, "")}\n\n${note}\n${trailer}\n`, { ...marker, passing });
}

function withoutPassingNote(body: string, key: string): string {
  return body.split("\n").filter((line) => !line.startsWith(passingNote(key))).join("\n");
}

function withoutTest(body: string, testId: string): string {
  return body.split("\n").filter((line) => !(line.startsWith("- **") && line.includes(`(${markdownCode(testId)})`)) && line !== fixesTrailer([testId])).join("\n");
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

/** The group's body: marker lists the key, a section names the test, and a `Fixes:` line for it. */
function groupedBody(body: string, marker: PrMarker, request: PublishRequest, proposal: Proposal): string {
  const next = renderMarker({ ...marker, also: [...marker.also, { key: request.key, fingerprint: proposal.fingerprint }] });
  const rest = body.replace(/^<!-- terrafix:v2 [^\n]*-->/, "");
  const trailerAt = rest.search(/\nFixes: test-[^\n]*(\nFixes: test-[^\n]*)*\s*$/);
  const main = trailerAt === -1 ? rest : rest.slice(0, trailerAt);
  const trailer = trailerAt === -1 ? "" : rest.slice(trailerAt).trim();
  const paths = request.change.files.map((f) => markdownCode(f.path)).join(", ");
  const section = [
    main.includes("### Also fixes") ? "" : "### Also fixes\n",
    `- **${escapeMarkdown(request.failure.testName)}** (${markdownCode(request.failure.testId)}) on ${markdownCode(request.target.address)}: ${paths}`,
  ].join("");
  return `${next}${main.replace(/\s*$/, "")}\n\n${section}\n\n${[trailer, fixesTrailer([request.failure.testId])].filter((t) => t !== "").join("\n")}\n`;
}
