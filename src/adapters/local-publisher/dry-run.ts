import { mkdir, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Logger } from "../../observability/logger.js";
import type { Publisher, PublishRequest } from "../../ports/publisher.js";
import { resourceIdentityString } from "../../domain/failure.js";
import { pullRequestTitle, renderPullRequestBody, unifiedDiff } from "../../domain/pull-request.js";
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

export interface DryRunPublisherOptions {
  dir: string;
  logger: Logger;
  vantaAppUrl?: string;
}

/** Same key, same file name: a rerun overwrites its record instead of adding one. */
export function dryRunFileName(testId: string, key: string): string {
  const safe = testId.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "test";
  return `${safe}-${key.slice(0, 16)}`;
}

export function toDryRunRecord(request: PublishRequest, vantaAppUrl: string): DryRunRecord {
  return {
    key: request.key,
    testId: request.failure.testId,
    resource: resourceIdentityString(request.failure),
    address: request.target.address,
    file: request.target.file,
    branch: request.branch,
    title: pullRequestTitle(request.failure, request.target),
    body: renderPullRequestBody(request, { vantaAppUrl }),
    diff: secrets.scrub(unifiedDiff(request.change)),
  };
}

export function createDryRunPublisher(options: DryRunPublisherOptions): Publisher {
  const dir = resolve(options.dir);
  const log = options.logger.child({ component: "dry-run-publisher" });
  const vantaAppUrl = options.vantaAppUrl ?? "https://app.vanta.com";
  return {
    name: "dry-run",
    async publish(request) {
      const record = toDryRunRecord(request, vantaAppUrl);
      const base = join(dir, dryRunFileName(record.testId, record.key));
      try {
        await mkdir(dir, { recursive: true });
        await writeAtomically(`${base}.json`, `${JSON.stringify(record, null, 2)}\n`);
        await writeAtomically(`${base}.md`, `# ${record.title}\n\n${record.body}`);
      } catch (error) {
        throw new TerraFixError(`cannot write dry-run record into ${dir}`, { kind: "config", stage: "publish", cause: error });
      }
      log.info({ path: `${base}.json`, title: record.title, files: request.change.files.length }, "dry-run pull request written");
      return { type: "dry-run", path: `${base}.json` };
    },
    resolve() {
      return Promise.resolve({ closed: false });
    },
  };
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temp, text, "utf8");
  await rename(temp, path);
}
