import type { ScmRef } from "../../ports/scm.js";
import type { GitHubOctokit } from "./client.js";
import type { RepoCoordinates } from "./branch.js";
import { isNotFound } from "./errors.js";
import { CompareFiles, FileContent } from "./schema.js";

/**
 * A file's text at a branch or a commit. The contents API takes either as `ref` ("The name of
 * the commit/branch/tag", https://docs.github.com/en/rest/repos/contents#get-repository-content).
 * Undefined for a missing file, ref or commit (all 404), or a directory.
 */
export async function readFileAt(octokit: GitHubOctokit, at: RepoCoordinates, ref: ScmRef, path: string): Promise<string | undefined> {
  try {
    const { data } = await octokit.rest.repos.getContent({ ...at, path, ref: "branch" in ref ? ref.branch : ref.commit });
    const file = FileContent.safeParse(data);
    if (!file.success) return undefined;
    return Buffer.from(file.data.content, "base64").toString("utf8");
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * The paths that differ between two commits: "Compare two commits" (`base...head`, which for a
 * base that is an ancestor of head is the plain difference). GitHub lists at most 300 changed
 * files (https://docs.github.com/en/rest/commits/commits#compare-two-commits); a TerraFix
 * branch changes a handful. A renamed file counts under both names.
 */
export async function changedPaths(octokit: GitHubOctokit, at: RepoCoordinates, from: string, to: string): Promise<string[]> {
  const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ ...at, basehead: `${from}...${to}` });
  const paths = CompareFiles.parse(data).files.flatMap((f) => [f.filename, ...(f.previous_filename === undefined ? [] : [f.previous_filename])]);
  return [...new Set(paths)];
}
