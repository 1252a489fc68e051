import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, relative, resolve, sep } from "node:path";
import { promisify } from "node:util";
import type { Logger } from "../../observability/logger.js";
import type { Publisher } from "../../ports/publisher.js";
import { commitMessage, pullRequestTitle } from "../../domain/pull-request.js";
import { TerraFixError } from "../../errors.js";

const run = promisify(execFile);

export interface LocalPublisherOptions {
  logger: Logger;
  /** Commit author; defaults to TerraFix. */
  author?: { name: string; email: string };
}

/**
 * Commits the change on the failure's branch in the checkout itself (`git checkout -B`, write,
 * commit with the key trailer), then goes back to where the checkout was. No GitHub needed.
 * Uses the git CLI directly: simple-git belongs to adapters/git.
 */
export function createLocalPublisher(options: LocalPublisherOptions): Publisher {
  const log = options.logger.child({ component: "local-publisher" });
  const author = options.author ?? { name: "TerraFix", email: "terrafix@localhost" };
  return {
    name: "local",
    async publish(request) {
      const dir = request.checkout.dir;
      const git = (...args: string[]): Promise<string> => gitIn(dir, args);
      const previous = (await git("rev-parse", "--abbrev-ref", "HEAD")).trim();
      const start = request.checkout.headSha === "" ? "HEAD" : request.checkout.headSha;
      const title = pullRequestTitle(request.failure, request.target);
      try {
        await git("checkout", "--quiet", "-B", request.branch, start);
        for (const file of request.change.files) {
          const target = resolve(dir, file.path);
          // A path from a model must stay inside the checkout.
          if (relative(dir, target).startsWith(`..${sep}`) || relative(dir, target) === "..") {
            throw new TerraFixError(`refusing to write outside the checkout: ${file.path}`, { kind: "permanent", stage: "publish" });
          }
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, file.after, "utf8");
        }
        await git("add", "--", ...request.change.files.map((file) => file.path));
        const staged = await git("diff", "--cached", "--name-only");
        if (staged.trim() !== "") {
          await git(
            "-c", `user.name=${author.name}`, "-c", `user.email=${author.email}`, "-c", "commit.gpgsign=false",
            "commit", "--quiet", "--no-verify", "-m", commitMessage(title, request.key, request.change.rationale),
          );
        }
      } finally {
        await git("checkout", "--quiet", "--force", previous === "HEAD" ? start : previous).catch((error: unknown) => {
          log.warn({ err: error, dir }, "could not return the checkout to its branch");
        });
      }
      log.info({ dir, branch: request.branch, files: request.change.files.length }, "change committed on local branch");
      return { type: "committed", branch: request.branch };
    },
    resolve() {
      return Promise.resolve({ closed: false });
    },
  };
}

async function gitIn(dir: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run("git", args, { cwd: dir, env: { ...process.env, GIT_TERMINAL_PROMPT: "0" }, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new TerraFixError(`git ${args.filter((a) => !a.startsWith("user.")).slice(0, 3).join(" ")} failed: ${stderr.trim().split("\n")[0] ?? ""}`, { kind: "permanent", stage: "publish", cause: error });
  }
}

