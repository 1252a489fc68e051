import { simpleGit, type SimpleGit } from "simple-git";
import { TerraFixError } from "../../errors.js";
import { translateGitError, type GitOperation } from "./errors.js";

/** What one git invocation needs: environment (with the auth header), limits, and scrubbing. */
export interface GitRunContext {
  repo: string;
  env: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  scrub: (text: string) => string;
}

export interface RemoteHead {
  branch: string;
  sha: string;
}

/**
 * Runs one git command with two bounds: simple-git's `timeout.block` kills a process that prints
 * nothing for `timeoutMs` (https://github.com/steveukx/git-js/blob/main/docs/PLUGIN-TIMEOUT.md),
 * and an AbortSignal bounds the whole call and carries the job's cancellation
 * (https://github.com/steveukx/git-js/blob/main/docs/PLUGIN-ABORT-CONTROLLER.md).
 */
async function run<T>(
  context: GitRunContext,
  baseDir: string,
  operation: GitOperation,
  work: (git: SimpleGit) => Promise<T>,
): Promise<T> {
  const timeout = AbortSignal.timeout(context.timeoutMs);
  const signal = context.signal === undefined ? timeout : AbortSignal.any([context.signal, timeout]);
  const git = simpleGit({
    baseDir,
    maxConcurrentProcesses: 1,
    timeout: { block: context.timeoutMs },
    abort: signal,
    // The auth header travels in GIT_CONFIG_COUNT/KEY/VALUE (see env.ts), which simple-git only
    // allows when asked: https://github.com/steveukx/git-js/blob/main/docs/PLUGIN-UNSAFE-ACTIONS.md
    unsafe: { allowUnsafeConfigEnvCount: true },
  }).env(context.env);
  try {
    return await work(git);
  } catch (error) {
    throw translateGitError(error, {
      repo: context.repo,
      operation,
      timeoutMs: context.timeoutMs,
      callerAborted: context.signal?.aborted === true,
      scrub: context.scrub,
    });
  }
}

/** Shallow, single-branch clone of the remote's default branch (whatever HEAD points at). */
export async function cloneShallow(context: GitRunContext, parentDir: string, url: string, target: string): Promise<void> {
  await run(context, parentDir, "clone", (git) =>
    git.raw(["clone", "--depth", "1", "--single-branch", "--no-tags", "--quiet", "--", url, target]),
  );
}

/**
 * The remote's default branch and its commit, in one round trip and without downloading objects
 * (https://git-scm.com/docs/git-ls-remote#Documentation/git-ls-remote.txt---symref).
 */
export async function lsRemoteHead(context: GitRunContext, dir: string, url: string): Promise<RemoteHead> {
  const output = await run(context, dir, "ls-remote", (git) => git.raw(["ls-remote", "--symref", "--", url, "HEAD"]));
  const branch = /^ref:\s+refs\/heads\/(\S+)\s+HEAD$/m.exec(output)?.[1];
  const sha = /^([0-9a-f]{40,64})\s+HEAD$/m.exec(output)?.[1];
  if (branch === undefined || sha === undefined) {
    throw new TerraFixError(`repository ${context.repo} has no default branch (empty repository?)`, {
      kind: "permanent",
      stage: "workspace",
    });
  }
  return { branch, sha };
}

/** Fetches one branch at depth 1 into refs/remotes/origin/<branch>; returns the fetched commit. */
export async function fetchBranch(context: GitRunContext, dir: string, url: string, branch: string): Promise<string> {
  const ref = `refs/remotes/origin/${branch}`;
  await run(context, dir, "fetch", (git) =>
    git.raw(["fetch", "--depth", "1", "--no-tags", "--quiet", "--", url, `+refs/heads/${branch}:${ref}`]),
  );
  return revParse(context, dir, ref);
}

/** Points the working tree at `sha` on `branch`, discarding local changes and untracked files. */
export async function resetTo(context: GitRunContext, dir: string, branch: string, sha: string, switchBranch: boolean): Promise<void> {
  if (switchBranch) {
    await run(context, dir, "checkout", (git) => git.raw(["checkout", "--quiet", "--force", "-B", branch, sha]));
  }
  await run(context, dir, "reset", (git) => git.raw(["reset", "--hard", "--quiet", sha]));
  // -ff also removes nested repositories, -x ignored files (.terraform/ left by a verify step).
  await run(context, dir, "clean", (git) => git.raw(["clean", "-ffdxq"]));
}

export async function revParse(context: GitRunContext, dir: string, ref: string): Promise<string> {
  return (await run(context, dir, "rev-parse", (git) => git.raw(["rev-parse", "--verify", `${ref}^{commit}`]))).trim();
}

export async function currentBranch(context: GitRunContext, dir: string): Promise<string> {
  return (await run(context, dir, "rev-parse", (git) => git.raw(["symbolic-ref", "--short", "HEAD"]))).trim();
}
