import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { DestinationStream } from "pino";
import { createLogger, type Logger } from "../../../src/observability/logger.js";
import { SecretRegistry } from "../../../src/observability/secrets.js";

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** A bare repository under `<root>/remotes/<owner>/<name>.git` with a working clone to push from. */
export interface Remote {
  bare: string;
  work: string;
  /** Writes the files, commits and pushes to `branch` (default: main); returns the commit. */
  commit(files: Record<string, string>, message?: string, branch?: string): string;
}

export function createRemote(root: string, owner: string, name: string, files: Record<string, string>, branch = "main"): Remote {
  const bare = join(root, "remotes", owner, `${name}.git`);
  const work = join(root, "work", owner, name);
  mkdirSync(dirname(bare), { recursive: true });
  mkdirSync(work, { recursive: true });
  git(root, "init", "--quiet", "--bare", `--initial-branch=${branch}`, bare);
  git(work, "init", "--quiet", `--initial-branch=${branch}`);
  git(work, "remote", "add", "origin", bare);
  const remote: Remote = {
    bare,
    work,
    commit(changes, message = "change", target = branch) {
      git(work, "checkout", "--quiet", "-B", target);
      for (const [path, content] of Object.entries(changes)) {
        mkdirSync(dirname(join(work, path)), { recursive: true });
        writeFileSync(join(work, path), content);
      }
      git(work, "add", "--all");
      git(work, "commit", "--quiet", "-m", message);
      git(work, "push", "--quiet", "--force", "origin", `HEAD:refs/heads/${target}`);
      return git(work, "rev-parse", "HEAD");
    },
  };
  remote.commit(files, "initial");
  return remote;
}

export function tempRoot(): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), "terrafix-git-"));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export function fileTemplate(root: string): string {
  return `file://${join(root, "remotes")}/{owner}/{repo}.git`;
}

/** A debug-level logger whose lines the test can read, scrubbing through its own registry. */
export function capturingLogger(secrets = new SecretRegistry()): { logger: Logger; lines: string[]; messages: () => string[] } {
  const lines: string[] = [];
  const destination: DestinationStream = { write: (line: string) => void lines.push(line) };
  const logger = createLogger({ level: "debug", destination, secrets });
  return { logger, lines, messages: () => lines.map((line) => (JSON.parse(line) as { msg: string }).msg) };
}

/** A clock the test moves by hand. */
export function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let current = start;
  return { now: () => current, advance: (ms) => void (current += ms) };
}
