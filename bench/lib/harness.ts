import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startFakeBedrock, type FakeBedrock, type FakeBedrockRequest, type FakeBedrockStep } from "../../test/fakes/bedrock-server.js";
import { startFakeGitHub, type FakeGitHub } from "../../test/fakes/github-server.js";
import { startFakeVanta, type FakeVanta } from "../../test/fakes/vanta-server.js";
import { measureFolderBytes } from "../../src/adapters/git/clone-cache.js";
import { startGitHttpServer, type GitHttpServer } from "./git-http.js";
import type { LatencyModel } from "./latency.js";
import { createRng } from "./rng.js";

/**
 * The fakes of experiments 1 and 2 with latency models and fault injection: fake Vanta, fake
 * GitHub (its repositories exported as bare repositories and served over smart HTTP by
 * git-http.ts), and fake Bedrock answering every prompt with a correct fix.
 */
export interface BenchRepo {
  owner: string;
  name: string;
  files: Record<string, string>;
}

/** Probability per request of each injected fault. */
export interface FaultRates {
  /** Bedrock ThrottlingException (429). */
  bedrockThrottle?: number;
  /** GitHub secondary rate limit (403 + retry-after 1) on writes. */
  githubSecondary?: number;
  /** GitHub 502 on any request. */
  github5xx?: number;
  /** git HTTP requests (ref advertisement or objects) that never answer (the client's timeout fires). */
  gitTimeout?: number;
}

export interface Harness {
  work: string;
  github: FakeGitHub;
  vanta: FakeVanta;
  bedrock: FakeBedrock;
  git: GitHttpServer;
  /** Faults actually injected so far, by kind. */
  readonly injected: Record<keyof FaultRates, number>;
  setFaults(rates: FaultRates): void;
  env(overrides?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export const CREDENTIALS = { clientId: "bench-client", clientSecret: "bench-client-secret" };

export async function startHarness(options: { repos: BenchRepo[]; latency: LatencyModel; work: string; seed?: number; pacing?: boolean }): Promise<Harness> {
  // The AWS SDK reads credentials from the process environment, not from TerraFix's config.
  process.env.AWS_ACCESS_KEY_ID ??= "AKIABENCH";
  process.env.AWS_SECRET_ACCESS_KEY ??= "bench-secret";
  const rng = createRng(options.seed ?? 5);
  let rates: FaultRates = {};
  const injected: Harness["injected"] = { bedrockThrottle: 0, githubSecondary: 0, github5xx: 0, gitTimeout: 0 };
  const gitDir = join(options.work, "git");
  mkdirSync(gitDir, { recursive: true });
  const github: FakeGitHub = await startFakeGitHub({
    gitDir,
    // Throughput runs create hundreds of PRs a minute on purpose; secondary limits are injected below.
    contentLimits: false,
    latency: (request) => {
      // The fake checks faults after this delay, so a fault armed here hits this very request.
      const write = request.method !== "GET";
      if (write && rng.next() < (rates.githubSecondary ?? 0)) {
        injected.githubSecondary += 1;
        github.setFault({ type: "secondary", method: request.method, path: request.path, retryAfter: 1, times: 1 });
      } else if (rng.next() < (rates.github5xx ?? 0)) {
        injected.github5xx += 1;
        github.setFault({ type: "status", status: 502, method: request.method, path: request.path, times: 1 });
      }
      return options.latency.githubMs(request);
    },
  });
  const sizes = new Map<string, number>();
  for (const repo of options.repos) {
    github.createRepo(repo.owner, repo.name, repo.files);
    sizes.set(`${repo.owner}/${repo.name}`, await measureFolderBytes(join(gitDir, repo.owner, `${repo.name}.git`)));
  }
  const git = await startGitHttpServer({
    root: gitDir,
    latencyMs: (request) => options.latency.gitMs(request, sizes.get(`${request.owner}/${request.repo}`) ?? 0),
    fault: () => {
      if (rng.next() < (rates.gitTimeout ?? 0)) {
        injected.gitTimeout += 1;
        return "hang";
      }
      return undefined;
    },
  });
  const vanta = await startFakeVanta({ scenario: { credentials: CREDENTIALS, tests: [] } });
  let answered = 0;
  const bedrock = await startFakeBedrock({
    latencyMs: () => options.latency.bedrockMs(),
    responder: (request) => {
      answered += 1;
      return fixResponder(request);
    },
    seed: options.seed ?? 5,
  });
  const harness: Harness = {
    work: options.work,
    github,
    vanta,
    bedrock,
    git,
    // The fake answers a faulted request without asking the responder: the difference is the faults.
    get injected() {
      return { ...injected, bedrockThrottle: bedrock.requests.length - answered };
    },
    setFaults(next) {
      rates = next;
      if ((next.bedrockThrottle ?? 0) > 0) bedrock.setFault({ error: "ThrottlingException", rate: next.bedrockThrottle ?? 0 });
      else bedrock.setFault(undefined);
    },
    env: (overrides = {}) => ({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      VANTA_API_URL: vanta.url,
      VANTA_CLIENT_ID: CREDENTIALS.clientId,
      VANTA_CLIENT_SECRET: CREDENTIALS.clientSecret,
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: "ghp_bench_token_value",
      GITHUB_WRITE_PACING: options.pacing === false ? "false" : "true",
      TERRAFIX_REPOSITORIES: options.repos.map((r) => `${r.owner}/${r.name}`).join(","),
      TERRAFIX_GIT_URL_TEMPLATE: git.urlTemplate,
      TERRAFIX_WORK_DIR: join(options.work, "clones"),
      TERRAFIX_STATE_URL: join(options.work, "terrafix.db"),
      TERRAFIX_GENERATOR: "llm",
      TERRAFIX_MAX_PRS_PER_HOUR: "10000",
      TERRAFIX_MAX_OPEN_PRS: "10000",
      TERRAFIX_GIT_TIMEOUT_SECONDS: "5",
      BEDROCK_ENDPOINT_URL: bedrock.url,
      AWS_ACCESS_KEY_ID: "AKIABENCH",
      AWS_SECRET_ACCESS_KEY: "bench-secret",
      AWS_REGION: "us-east-1",
      LOG_LEVEL: "silent",
      ...overrides,
    }),
    close: async () => {
      await Promise.all([github.close(), vanta.close(), bedrock.close(), git.close()]);
    },
  };
  return harness;
}

/**
 * A model that always knows the answer: for the public-access-block test it inserts an
 * `aws_s3_bucket_public_access_block` after the target bucket (the fix the rules would make),
 * so the LLM path is exercised end to end with only its latency modelled.
 */
export function fixResponder(request: FakeBedrockRequest): FakeBedrockStep {
  const first = request.body.messages?.[0]?.content ?? [];
  const text = first.map((c) => (typeof c.text === "string" ? c.text : "")).join("\n");
  const target = /<target_block>\s*<untrusted_data[^>]*?\sfile="([^"]+)"[^>]*?\saddress="([^"]+)"/.exec(text);
  if (target === null) return { type: "text", text: "I could not find the target block." };
  const [, file = "", address = ""] = target;
  const local = address.split(".").slice(-2).join(".");
  const name = `${address.split(".").pop() ?? "bucket"}_public_access`;
  const block = [
    `resource "aws_s3_bucket_public_access_block" "${name}" {`,
    `  bucket                  = ${local}.id`,
    "  block_public_acls       = true",
    "  block_public_policy     = true",
    "  ignore_public_acls      = true",
    "  restrict_public_buckets = true",
    "}",
  ].join("\n");
  return {
    type: "tool",
    input: {
      edits: [{ action: "insert_after", address, file: file.replaceAll("&quot;", '"'), new_text: block }],
      rationale: "Blocks every form of public access to the bucket with a separate aws_s3_bucket_public_access_block, as provider v4+ expects.",
      confidence: 0.9,
      risks: ["Any client relying on public access to this bucket loses it."],
    },
  };
}
