import type { Failure } from "../../src/domain/failure.js";
import { indexCheckouts, type IndexedCheckout } from "../../src/pipeline/index.js";
import { acquireCheckouts, type RepoCheckout } from "../../src/pipeline/workspace.js";
import { parseRepositoryRef, type RepositoryRef } from "../../src/ports/repo-workspace.js";
import { MemoryWorkspace } from "./memory-workspace.js";
import { terraformRepo } from "./terraform-repo.js";

/** A failing S3 bucket as Vanta reports it. */
export const BUCKET_FAILURE: Failure = { testId: "aws-s3-public-access-blocked", testName: "S3 buckets block public access", entityId: "e1", displayName: "acme-logs", responseType: "S3 bucket" };
/** An account without a password policy as Vanta reports it. */
export const ACCOUNT_FAILURE: Failure = { testId: "internal-password-policy-config", testName: "Password policy", entityId: "e2", displayName: "account-123456789012", responseType: "AWS account", account: "123456789012" };

/**
 * Repositories (slug -> files) written to temp dirs behind a MemoryWorkspace, and the stages that
 * come first (workspace, index) run on them for a failure: what match/generate/verify/publish take.
 */
export class PipelineFixture {
  readonly workspace: MemoryWorkspace;
  readonly repositories: RepositoryRef[];
  readonly #removers: (() => void)[] = [];

  constructor(repos: Record<string, Record<string, string>>) {
    const dirs: Record<string, string> = {};
    for (const [slug, files] of Object.entries(repos)) {
      const repo = terraformRepo(files);
      this.#removers.push(repo.remove);
      dirs[slug] = repo.dir;
    }
    this.workspace = new MemoryWorkspace(dirs);
    this.repositories = Object.keys(repos).map(parseRepositoryRef);
  }

  async checkouts(failure: Failure = BUCKET_FAILURE): Promise<RepoCheckout[]> {
    const out = await acquireCheckouts({ failure }, { workspace: this.workspace, repositories: this.repositories }, new AbortController().signal);
    this.#removers.push(() => out.release());
    if (out.status !== "ready") throw new Error(`no checkouts: ${JSON.stringify(out.outcome)}`);
    return out.checkouts;
  }

  async indexed(failure: Failure = BUCKET_FAILURE): Promise<IndexedCheckout[]> {
    return indexCheckouts(await this.checkouts(failure), {}, new AbortController().signal);
  }

  remove(): void {
    for (const r of this.#removers.splice(0).reverse()) r();
  }
}
