import { mkdir, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Logger } from "../../observability/logger.js";
import type { Scm, ScmPull } from "../../ports/scm.js";
import { secrets } from "../../observability/secrets.js";
import { TerraFixError } from "../../errors.js";

/** The JSON record of a would-be pull request (ARCHITECTURE.md, CLI contract: exactly these fields). */
export interface DryRunRecord {
  key: string;
  testId: string;
  resource: string;
  address: string;
  file: string;
  branch: string;
  title: string;
  body: string;
  diff: string;
}

export interface DryRunScmOptions {
  dir: string;
  logger: Logger;
}

/** One recorded platform call, in order (tests and `--dry-run` readers see what would have happened). */
export interface RecordedCall {
  method: keyof Scm;
  args: unknown[];
}

export interface DryRunScm extends Scm {
  readonly calls: readonly RecordedCall[];
}

/** Same key, same file name: a rerun overwrites its record instead of adding one. */
export function dryRunFileName(testId: string, key: string): string {
  const safe = testId.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "test";
  return `${safe}-${key.slice(0, 16)}`;
}

/**
 * The dry-run platform: reads nothing, records every call, and writes each would-be PR as
 * `<testId>-<key>.json` (+ `.md`) into its folder. The policy runs unchanged over it.
 */
export function createDryRunScm(options: DryRunScmOptions): DryRunScm {
  const dir = resolve(options.dir);
  const log = options.logger.child({ component: "dry-run" });
  const calls: RecordedCall[] = [];
  const note = (method: keyof Scm, ...args: unknown[]): void => {
    calls.push({ method, args });
  };
  return {
    name: "dry-run",
    mode: "record",
    calls,
    withSignal: (_signal, work) => work(),
    base(repo, preferred) {
      note("base", repo, preferred);
      return Promise.resolve({ ...preferred, head: preferred.sha });
    },
    pullsForBranch: (repo, branch) => (note("pullsForBranch", repo, branch), Promise.resolve([])),
    listPulls: (repo, filter) => (note("listPulls", repo, filter), Promise.resolve([])),
    branchHead: (repo, branch) => (note("branchHead", repo, branch), Promise.resolve(undefined)),
    readFile: (repo, ref, path) => (note("readFile", repo, ref, path), Promise.resolve(undefined)),
    changedPaths: (repo, from, to) => (note("changedPaths", repo, from, to), Promise.resolve([])),
    writeBranch(repo, write) {
      note("writeBranch", repo, { branch: write.branch, baseSha: write.baseSha, paths: write.files.map((f) => f.path) });
      return Promise.resolve({ sha: "" });
    },
    async openPull(repo, input) {
      note("openPull", repo, { title: input.title, head: input.head, base: input.base });
      const a = input.about;
      const record: DryRunRecord = { key: a.key, testId: a.testId, resource: a.resource, address: a.address, file: a.file, branch: input.head, title: input.title, body: input.body, diff: secrets.scrub(a.diff) };
      const base = join(dir, dryRunFileName(record.testId, record.key));
      try {
        await mkdir(dir, { recursive: true });
        await writeAtomically(`${base}.json`, `${JSON.stringify(record, null, 2)}\n`);
        await writeAtomically(`${base}.md`, `# ${record.title}\n\n${record.body}`);
      } catch (error) {
        throw new TerraFixError(`cannot write dry-run record into ${dir}`, { kind: "config", stage: "publish", cause: error });
      }
      log.info({ path: `${base}.json`, title: record.title }, "dry-run pull request written");
      const pull: ScmPull = { number: 0, url: `${base}.json`, state: "open", title: input.title, body: input.body, head: input.head, headSha: "", createdAt: new Date().toISOString(), mergedAt: null, closedAt: null, labels: [] };
      return { pull, created: true };
    },
    updatePull: (...args) => (note("updatePull", ...args), Promise.resolve()),
    mergeStatus: (...args) => (note("mergeStatus", ...args), Promise.resolve({ mergeable: null, state: "unknown" as const })),
    comments: (...args) => (note("comments", ...args), Promise.resolve([])),
    comment: (...args) => (note("comment", ...args), Promise.resolve()),
    addLabels: (...args) => (note("addLabels", ...args), Promise.resolve()),
    requestReviewers: (...args) => (note("requestReviewers", ...args), Promise.resolve({ refused: [] })),
    addAssignees: (...args) => (note("addAssignees", ...args), Promise.resolve()),
    findIssue: (...args) => (note("findIssue", ...args), Promise.resolve(undefined)),
    createIssue: (repo, title, body) => (note("createIssue", repo, title), Promise.resolve({ number: 0, url: "", title, body })),
    updateIssue: (...args) => (note("updateIssue", ...args), Promise.resolve()),
  };
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temp, text, "utf8");
  await rename(temp, path);
}
