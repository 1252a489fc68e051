import type { PublishRequest } from "../../../src/ports/publisher.js";
import type { Failure } from "../../../src/domain/failure.js";
import { branchName, failureKey } from "../../../src/domain/failure.js";
import { silentLogger } from "../../../src/observability/logger.js";
import { createGitHubScm, type GitHubScm, type GitHubScmOptions } from "../../../src/adapters/github/index.js";
import { createPublishStage, type PublishStageOptions } from "../../../src/pipeline/publish/index.js";
import type { Publisher } from "../../../src/ports/publisher.js";
import type { FakeGitHub } from "../../fakes/github-server.js";

export const MAIN_TF = `resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}
`;
export const VARS_TF = `variable "region" {
  default = "us-east-1"
}
`;

export function seedRepo(fake: FakeGitHub, owner = "acme", name = "infra"): { headSha: string } {
  return fake.createRepo(owner, name, { "main.tf": MAIN_TF, "variables.tf": VARS_TF, "modules/README.md": "docs\n" });
}

export function failure(overrides: Partial<Failure> = {}): Failure {
  return {
    testId: "s3-bucket-encryption",
    testName: "S3 buckets are encrypted at rest",
    entityId: "0123456789abcdef01234567",
    displayName: "acme-logs",
    responseType: "S3 bucket",
    arn: "arn:aws:s3:::acme-logs",
    ...overrides,
  };
}

/** A two-file change (main.tf edited, a new encryption file) for the failure. */
export function request(options: { failure?: Failure; headSha?: string; owner?: string; name?: string; variant?: string } = {}): PublishRequest {
  const f = options.failure ?? failure();
  const key = failureKey(f);
  const variant = options.variant ?? "AES256";
  return {
    key,
    failure: f,
    repo: { owner: options.owner ?? "acme", name: options.name ?? "infra" },
    checkout: { repo: { owner: options.owner ?? "acme", name: options.name ?? "infra" }, dir: "/nonexistent", defaultBranch: "main", headSha: options.headSha ?? "" },
    branch: branchName(f.testId, key),
    target: { address: `aws_s3_bucket.${f.displayName.replace(/[^a-z0-9]/g, "_")}`, file: "main.tf", startLine: 1, endLine: 3, confidence: 1, reasons: ["name"] },
    change: {
      generator: "rules",
      rationale: "Encrypt the bucket at rest with SSE.",
      confidence: 1,
      controlId: "s3-encryption",
      files: [
        { path: "main.tf", before: MAIN_TF, after: `${MAIN_TF}# encrypted: ${f.displayName}\n` },
        { path: `encryption-${f.displayName}.tf`, before: "", after: `resource "aws_s3_bucket_server_side_encryption_configuration" "this" {\n  sse_algorithm = "${variant}"\n}\n` },
      ],
    },
    verification: { passed: true, checks: [{ name: "parse", status: "pass", passed: true, detail: "all files parse" }] },
  };
}

export function scmFor(fake: FakeGitHub, overrides: Partial<GitHubScmOptions> = {}): GitHubScm {
  return createGitHubScm({
    apiUrl: fake.url,
    auth: { token: "ghp_faketoken123" },
    logger: silentLogger(),
    throttle: { pacing: false, retryAfterBaseMs: 5 },
    retry: { baseMs: 5 },
    ...overrides,
  });
}

export type StageOverrides = Partial<PublishStageOptions> & { scm?: Partial<GitHubScmOptions> };

/** The publish stage (the PR policy) over the GitHub Scm, talking to the fake over HTTP. */
export function publisherFor(fake: FakeGitHub, overrides: StageOverrides = {}): Publisher {
  const { scm, ...stage } = overrides;
  return createPublishStage(scmFor(fake, scm), stageOptions(stage));
}

export function stageOptions(overrides: Partial<PublishStageOptions> = {}): PublishStageOptions {
  return {
    labels: ["terrafix", "compliance"],
    reviewers: [],
    teamReviewers: [],
    assignees: [],
    maxPrsPerHour: 100,
    maxOpenPrs: 100,
    recheckMs: 60_000,
    rebaseWhen: "conflicted",
    closeResolved: true,
    vantaAppUrl: "https://app.vanta.com",
    logger: silentLogger(),
    ...overrides,
  };
}
