import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeBedrock, type FakeBedrock } from "../fakes/bedrock-server.js";
import { startFakeGitHub, type FakeGitHub, type FakeGitHubOptions } from "../fakes/github-server.js";
import { startFakeVanta, type FakeVanta } from "../fakes/vanta-server.js";
import type { ScenarioTest } from "../fakes/vanta-scenario.js";

/** A Terraform repository of `count` S3 buckets without public access blocks (AWS provider v5 style). */
export function bucketRepo(count: number): Record<string, string> {
  const buckets = Array.from(
    { length: count },
    (_, i) => `resource "aws_s3_bucket" "b${i}" {\n  bucket = "bulk-bucket-${i}"\n}\n`,
  ).join("\n");
  return {
    "versions.tf": 'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = "~> 5.0"\n    }\n  }\n}\n',
    "buckets.tf": buckets,
  };
}

export function bucketScenario(count: number): { tests: ScenarioTest[] } {
  return {
    tests: [
      {
        id: "aws-s3-public-access-blocked",
        name: "S3 buckets block public access",
        entities: Array.from({ length: count }, (_, i) => ({
          id: i.toString(16).padStart(24, "0"),
          displayName: `bulk-bucket-${i}`,
          responseType: "S3 bucket",
        })),
      },
    ],
  };
}

export interface E2eEnvironment {
  work: string;
  github: FakeGitHub;
  vanta: FakeVanta;
  bedrock: FakeBedrock;
  /** The environment of a TerraFix process pointed at the fakes. */
  env(overrides?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** Fake Vanta, GitHub (with clones served from bare repositories) and Bedrock, with `buckets` failing buckets. */
export async function startE2e(buckets: number, options: { github?: Omit<FakeGitHubOptions, "gitDir"> } = {}): Promise<E2eEnvironment> {
  const work = mkdtempSync(join(tmpdir(), "terrafix-e2e-"));
  const github = await startFakeGitHub({ ...options.github, gitDir: join(work, "git") });
  const vanta = await startFakeVanta({ scenario: bucketScenario(buckets) });
  const bedrock = await startFakeBedrock();
  github.createRepo("acme", "infra", bucketRepo(buckets));
  return {
    work,
    github,
    vanta,
    bedrock,
    env: (overrides = {}) => ({
      PATH: process.env["PATH"],
      HOME: process.env["HOME"],
      VANTA_API_URL: vanta.url,
      VANTA_CLIENT_ID: "e2e-client",
      VANTA_CLIENT_SECRET: "e2e-client-secret",
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: "ghp_e2e_token_value",
      GITHUB_WRITE_PACING: "false",
      TERRAFIX_REPOSITORIES: "acme/infra",
      TERRAFIX_GIT_URL_TEMPLATE: github.gitUrlTemplate ?? "",
      TERRAFIX_WORK_DIR: join(work, "clones"),
      TERRAFIX_STATE_URL: join(work, "terrafix.db"),
      TERRAFIX_GENERATOR: "rules",
      TERRAFIX_MAX_PRS_PER_HOUR: "1000",
      TERRAFIX_MAX_OPEN_PRS: "1000",
      BEDROCK_ENDPOINT_URL: bedrock.url,
      AWS_ACCESS_KEY_ID: "AKIAE2E",
      AWS_SECRET_ACCESS_KEY: "e2e-secret",
      LOG_LEVEL: "silent",
      ...overrides,
    }),
    close: async () => {
      await Promise.all([github.close(), vanta.close(), bedrock.close()]);
    },
  };
}
