import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Logger } from "../../observability/logger.js";
import type { RepositoryRef } from "../../ports/repo-workspace.js";
import type { Scm, ScmCommit } from "../../ports/scm.js";
import { TerraFixError } from "../../errors.js";
import { secrets } from "../../observability/secrets.js";
import { assertTreePathsContained } from "./tree-paths.js";

const run = promisify(execFile);
const ZERO = "0".repeat(40);

export interface LocalScmOptions {
  logger: Logger;
  /** Where the clone of a repository is (the git workspace's cache). */
  dirOf: (repo: RepositoryRef) => string;
  /** Commit author; defaults to TerraFix. */
  author?: { name: string; email: string };
}

/**
 * A local git repository as the platform: branches only, no pull requests. Each write builds its
 * commit with plumbing in a private index (`GIT_INDEX_FILE` in a temp folder), so the shared
 * checkout's working tree, index and HEAD are never touched and concurrent jobs cannot commit on
 * each other's branches; the ref moves by compare-and-swap (`update-ref <new> <old>`), so a human
 * commit that arrived meanwhile is never discarded. When the clone has an `origin` that is
 * another repository, the branch is read from and pushed to it (`--force-with-lease`).
 * Uses the git CLI directly: simple-git belongs to adapters/git.
 */
export function createLocalScm(options: LocalScmOptions): Scm {
  const log = options.logger.child({ component: "local-scm" });
  const author = options.author ?? { name: "TerraFix", email: "terrafix@localhost" };
  const locks = new Map<string, Promise<unknown>>();

  /** One write per repository at a time in this process (git's own locks cover other processes). */
  function locked<T>(dir: string, work: () => Promise<T>): Promise<T> {
    const run = (locks.get(dir) ?? Promise.resolve()).then(work, work);
    locks.set(dir, run.catch(() => undefined));
    return run;
  }

  async function origin(dir: string): Promise<boolean> {
    const remotes = await gitIn(dir, ["remote"]);
    return remotes.split("\n").includes("origin");
  }

  /** The branch's commit: on the origin when there is one (humans push there), else local. */
  async function headSha(dir: string, branch: string): Promise<string | undefined> {
    if (await origin(dir)) {
      const line = (await gitIn(dir, ["ls-remote", "origin", `refs/heads/${branch}`])).trim();
      if (line === "") return undefined;
      const sha = line.split(/\s+/)[0] ?? "";
      await gitIn(dir, ["fetch", "--quiet", "--no-tags", "origin", `+refs/heads/${branch}:refs/terrafix-origin/${branch}`]);
      return sha;
    }
    const sha = await gitIn(dir, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`]).catch(() => "");
    return sha.trim() === "" ? undefined : sha.trim();
  }

  /** The commit itself, when the clone has it (a SHA is never resolved as a branch name). */
  async function commitSha(dir: string, sha: string): Promise<string | undefined> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
    const found = await gitIn(dir, ["rev-parse", "--verify", "--quiet", `${sha}^{commit}`]).catch(() => "");
    return found.trim() === "" ? undefined : found.trim();
  }

  return {
    name: "local",
    mode: "branches",
    withSignal: (_signal, work) => work(),
    base(_repo, preferred) {
      return Promise.resolve({ ...preferred, head: preferred.sha });
    },
    async branchHead(repo, branch): Promise<ScmCommit | undefined> {
      const dir = options.dirOf(repo);
      const sha = await headSha(dir, branch);
      if (sha === undefined) return undefined;
      const raw = await gitIn(dir, ["show", "-s", "--format=%P%x00%ae%x00%ce%x00%B", sha]);
      const [parents = "", authorEmail = "", committerEmail = "", message = ""] = raw.split("\0");
      return { sha, message, parents: parents.trim().split(/\s+/).filter((p) => p !== ""), byBot: authorEmail === author.email || committerEmail === author.email };
    },
    async readFile(repo, ref, path) {
      const dir = options.dirOf(repo);
      const sha = "branch" in ref ? await headSha(dir, ref.branch) : await commitSha(dir, ref.commit);
      if (sha === undefined) return undefined;
      return gitIn(dir, ["show", `${sha}:${path}`]).catch(() => undefined);
    },
    async changedPaths(repo, from, to) {
      const out = await gitIn(options.dirOf(repo), ["diff", "--name-only", "-z", "--no-renames", from, to, "--"]);
      return out.split("\0").filter((path) => path !== "");
    },
    writeBranch(repo, write) {
      const dir = options.dirOf(repo);
      return locked(dir, async () => {
        await assertTreePathsContained((args) => gitIn(dir, args), write.baseSha, write.files.map((f) => f.path));
        const temp = await mkdtemp(join(tmpdir(), "terrafix-index-"));
        try {
          const env = { GIT_INDEX_FILE: join(temp, "index") };
          await gitIn(dir, ["read-tree", write.baseSha], env);
          for (const file of write.files) {
            const blob = (await gitIn(dir, ["hash-object", "-w", "--stdin", "--path", file.path], env, file.content)).trim();
            await gitIn(dir, ["update-index", "--add", "--cacheinfo", `100644,${blob},${file.path}`], env);
          }
          const tree = (await gitIn(dir, ["write-tree"], env)).trim();
          const identity = { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email, GIT_COMMITTER_NAME: author.name, GIT_COMMITTER_EMAIL: author.email };
          const sha = (await gitIn(dir, ["commit-tree", tree, "-p", write.baseSha, "-F", "-"], { ...env, ...identity }, write.message)).trim();
          if (await origin(dir)) {
            // The lease refuses the push when the branch moved since TerraFix read it.
            await gitIn(dir, ["push", "--quiet", `--force-with-lease=refs/heads/${write.branch}:${write.replaces ?? ""}`, "origin", `${sha}:refs/heads/${write.branch}`]);
          }
          // Locally the ref moves only from the head the policy checked (or from nothing).
          const expected = (await origin(dir)) ? [] : [write.replaces ?? ZERO];
          await gitIn(dir, ["update-ref", `refs/heads/${write.branch}`, sha, ...expected]);
          log.info({ dir, branch: write.branch, files: write.files.length }, "change committed on branch");
          return { sha };
        } finally {
          await rm(temp, { recursive: true, force: true });
        }
      });
    },
    pullsForBranch: () => Promise.resolve([]),
    listPulls: () => Promise.resolve([]),
    openPull: () => Promise.reject(unsupported("pull requests")),
    updatePull: () => Promise.reject(unsupported("pull requests")),
    mergeStatus: () => Promise.resolve({ mergeable: null, state: "unknown" }),
    comments: () => Promise.resolve([]),
    comment: () => Promise.reject(unsupported("comments")),
    addLabels: () => Promise.resolve(),
    requestReviewers: () => Promise.resolve({ refused: [] }),
    addAssignees: () => Promise.resolve(),
    findIssue: () => Promise.resolve(undefined),
    createIssue: () => Promise.reject(unsupported("issues")),
    updateIssue: () => Promise.reject(unsupported("issues")),
  };
}

function unsupported(what: string): TerraFixError {
  return new TerraFixError(`the local publisher has no ${what}`, { kind: "permanent", stage: "publish" });
}

async function gitIn(dir: string, args: string[], env: Record<string, string> = {}, input?: string): Promise<string> {
  try {
    const child = run("git", args, { cwd: dir, env: { ...process.env, GIT_TERMINAL_PROMPT: "0", ...env }, maxBuffer: 64 * 1024 * 1024 });
    if (input !== undefined) {
      child.child.stdin?.end(input);
    }
    const { stdout } = await child;
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new TerraFixError(secrets.scrub(`git ${args.slice(0, 2).join(" ")} failed: ${stderr.trim().split("\n")[0] ?? ""}`), { kind: "permanent", stage: "publish", cause: error });
  }
}
