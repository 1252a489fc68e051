import { resourceIdentityString } from "../../domain/failure.js";
import { changeHash, commitMessage, hasKeyTrailer, pullRequestTitle, renderPullRequestBody, unifiedDiff } from "../../domain/pull-request.js";
import { changeFingerprint, changeTrailerOf, renderMarker, withChangeTrailer, type MarkedKey } from "../../domain/proposal.js";
import type { PublishRequest } from "../../ports/publisher.js";
import type { PullInput, Reviewers, ScmCommit } from "../../ports/scm.js";

/** Everything the policy writes for one request: computed once, compared against what is there. */
export interface Proposal {
  fingerprint: string;
  /** The version 1 (whole-file) hash, to compare with PRs of older TerraFix versions. */
  legacyHash: string;
  title: string;
  message: string;
  files: { path: string; content: string }[];
}

export function proposalOf(request: PublishRequest): Proposal {
  const fingerprint = changeFingerprint(request.change);
  const title = pullRequestTitle(request.failure, request.target);
  return {
    fingerprint,
    legacyHash: changeHash(request.change),
    title,
    message: withChangeTrailer(commitMessage(title, request.key, request.change.rationale), fingerprint),
    files: request.change.files.map((file) => ({ path: file.path, content: file.after })),
  };
}

/** The body: marker (key, fingerprint, generation, the title we set), the rendered PR, `Fixes:`. */
export function bodyOf(
  request: PublishRequest,
  proposal: Proposal,
  options: { generation: number; titleHash: string; also?: MarkedKey[]; replaces?: string; vantaAppUrl: string },
): string {
  const marker = renderMarker({ key: request.key, fingerprint: proposal.fingerprint, generation: options.generation, titleHash: options.titleHash, also: options.also ?? [] });
  return renderPullRequestBody(
    { ...request, marker, ...(options.replaces === undefined ? {} : { replaces: options.replaces }) },
    { vantaAppUrl: options.vantaAppUrl },
  );
}

/** What a platform that records instead of opening (dry run) keeps about the PR. */
export function aboutOf(request: PublishRequest): PullInput["about"] {
  return {
    key: request.key,
    testId: request.failure.testId,
    resource: resourceIdentityString(request.failure),
    address: request.target.address,
    file: request.target.file,
    diff: unifiedDiff(request.change),
  };
}

/** TerraFix's own commit for this key: the bot made it and it carries the key trailer. */
export function isOwnCommit(commit: ScmCommit | undefined, key: string): commit is ScmCommit {
  return commit !== undefined && commit.byBot && hasKeyTrailer(commit.message, key);
}

/** The change a commit of ours holds (its trailer); undefined for commits of older versions. */
export function committedFingerprint(commit: ScmCommit): string | undefined {
  return changeTrailerOf(commit.message);
}

/**
 * Reviewers as configured: `org/team` names and names in the team list are teams, the rest are
 * people (GitHub wants them in separate fields: `reviewers` and `team_reviewers`).
 */
export function splitReviewers(names: readonly string[], teams: readonly string[]): Reviewers {
  const teamSet = new Set(teams.map((t) => t.replace(/^.*\//, "").toLowerCase()));
  const out: Reviewers = { users: [], teams: [] };
  for (const name of new Set(names)) {
    if (name.includes("/")) out.teams.push(name.slice(name.indexOf("/") + 1));
    else if (teamSet.has(name.toLowerCase())) out.teams.push(name);
    else out.users.push(name);
  }
  for (const team of teams) {
    const slug = team.replace(/^.*\//, "");
    if (!out.teams.includes(slug)) out.teams.push(slug);
  }
  return out;
}

