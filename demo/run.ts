/**
 * `npm run demo`: the whole job on a fresh clone with nothing configured. Starts the fake Vanta,
 * GitHub and Bedrock servers with a bundled scenario (test/fakes/scenarios/vanta-demo.json, demo/repo), runs
 * the real `process-once` code for one cycle against them on an embedded SQLite file, prints
 * each failure, its match and verification, then one line per pull request, and writes every
 * pull request (title, body, diff) into `demo-output/` (`--out DIR`) with an `index.md`.
 * `--serve` keeps the fakes up, with a viewer of the pull requests, until Ctrl-C. Its scratch
 * folder in the system temp directory is removed when it ends.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { processOnceCommand, type FinishedJob } from "../src/cli/commands/process-once.js";
import { silentLogger } from "../src/observability/logger.js";
import { startFakeBedrock, type FakeBedrockRequest, type FakeBedrockStep } from "../test/fakes/bedrock-server.js";
import { startFakeGitHub } from "../test/fakes/github-server.js";
import { startFakeVanta } from "../test/fakes/vanta-server.js";
import { collectPulls, summaryLine, writePulls, type DemoPull } from "./output.js";
import { startViewer, untilSignal } from "./serve.js";

const here = dirname(fileURLToPath(import.meta.url));

export interface DemoResult {
  exitCode: number;
  jobs: FinishedJob[];
  pulls: DemoPull[];
  /** The folder the pull requests were written to. */
  outDir: string;
  seconds: number;
}

/** What `--serve` prints and keeps up. */
export interface DemoUrls {
  viewer: string;
  github: string;
  vanta: string;
  bedrock: string;
  /** Viewer URL of each pull request, by number. */
  pulls: Record<number, string>;
}

export interface DemoOptions {
  print?: (line: string) => void;
  /** Default: demo-output/ in the current folder. */
  outDir?: string;
  /** `--serve`: the fakes and the viewer stay up until the returned promise settles (Ctrl-C). */
  serve?: (urls: DemoUrls) => Promise<unknown>;
}

function readTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else files[relative(dir, full).split("\\").join("/")] = readFileSync(full, "utf8");
    }
  };
  walk(dir);
  return files;
}

/**
 * The scripted model of the demo: the one failure no rule covers (a Lambda function without an
 * error-rate alarm) gets a plausible answer; anything else gets an empty proposal, which the
 * verification gates reject.
 */
function demoModel(request: FakeBedrockRequest): FakeBedrockStep {
  const prompt = JSON.stringify(request.body.messages ?? []);
  const match = /module\.resizer\.aws_lambda_function\.this/.exec(prompt);
  if (prompt.includes("serverless-function-error-rate-monitored-aws") && match !== null) {
    return {
      type: "tool",
      input: {
        edits: [
          {
            action: "insert_after",
            address: "module.resizer.aws_lambda_function.this",
            file: "modules/app/main.tf",
            new_text: [
              'resource "aws_cloudwatch_metric_alarm" "errors" {',
              '  alarm_name          = "${var.name}-errors"',
              '  alarm_description   = "Error rate of ${var.name} above 1% over 5 minutes"',
              '  namespace           = "AWS/Lambda"',
              '  metric_name         = "Errors"',
              '  statistic           = "Sum"',
              "  period              = 300",
              "  evaluation_periods  = 1",
              "  threshold           = 1",
              '  comparison_operator = "GreaterThanOrEqualToThreshold"',
              '  treat_missing_data  = "notBreaching"',
              "",
              "  dimensions = {",
              "    FunctionName = aws_lambda_function.this.function_name",
              "  }",
              "",
              "  tags = var.tags",
              "}",
            ].join("\n"),
          },
        ],
        rationale: "Vanta requires an alarm on each Lambda function's error metric; this adds one for the resizer function next to it, in the module that defines the function.",
        confidence: 0.8,
        risks: ["The alarm has no action yet: wire alarm_actions to the team's SNS topic."],
      },
    };
  }
  return { type: "tool", input: { edits: [], rationale: "No change proposed by the demo model.", confidence: 0, risks: [] } };
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const outDir = resolve(options.outDir ?? "demo-output");
  const started = performance.now();
  const work = mkdtempSync(join(tmpdir(), "terrafix-demo-"));
  const servers: { close(): Promise<void> }[] = [];
  try {
    const github = await startFakeGitHub({ gitDir: join(work, "git") });
    servers.push(github);
    const vanta = await startFakeVanta({ scenario: join(here, "..", "test", "fakes", "scenarios", "vanta-demo.json") });
    servers.push(vanta);
    const bedrock = await startFakeBedrock({ responder: demoModel });
    servers.push(bedrock);
    github.createRepo("acme", "infra", readTree(join(here, "repo")));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env["PATH"],
      HOME: process.env["HOME"],
      VANTA_API_URL: vanta.url,
      VANTA_CLIENT_ID: "terrafix-demo",
      VANTA_CLIENT_SECRET: "terrafix-demo-secret",
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: "ghp_demo_token_not_real",
      GITHUB_WRITE_PACING: "false",
      TERRAFIX_REPOSITORIES: "acme/infra",
      TERRAFIX_GIT_URL_TEMPLATE: github.gitUrlTemplate ?? "",
      TERRAFIX_WORK_DIR: join(work, "clones"),
      TERRAFIX_STATE_URL: join(work, "terrafix.db"),
      TERRAFIX_MAX_PRS_PER_HOUR: "100",
      TERRAFIX_MAX_OPEN_PRS: "100",
      TERRAFIX_TEST_MAPPINGS: "acme-s3-versioning=s3-versioning,acme-kms-rotation=kms-rotation",
      BEDROCK_ENDPOINT_URL: bedrock.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIADEMO",
      AWS_SECRET_ACCESS_KEY: "demo-secret-access-key",
      LOG_LEVEL: "silent",
    };
    const out = new PassThrough();
    const jobs: FinishedJob[] = [];
    const exitCode = await processOnceCommand({ dryRun: false }, { stdout: out, stderr: out, env }, {
      logger: silentLogger(),
      onJobFinished: (job, result) => jobs.push({ job, result }),
    });
    const pulls = collectPulls(github, "acme", "infra", jobs);
    const shown = relative(process.cwd(), outDir).startsWith("..") ? outDir : relative(process.cwd(), outDir) || ".";
    const where = (url: string): string => {
      const pull = pulls.find((p) => p.url === url);
      return pull === undefined ? url : `#${pull.number} (${join(shown, pull.file)})`;
    };
    print(`TerraFix demo: ${jobs.length} failing resources from the fake Vanta, repository acme/infra on the fake GitHub\n`);
    for (const { job, result } of jobs.sort((a, b) => a.job.testId.localeCompare(b.job.testId))) {
      const d = result.detail ?? {};
      const o = result.outcome;
      print(`- ${job.testId}  (${job.failure.responseType} ${job.failure.displayName})`);
      if (typeof d["address"] === "string")
        print(`    match:        ${String(d["address"])}  ${d["missing"] === true ? "(not in the code yet: the fix adds it)" : `${String(d["file"])}:${String(d["startLine"])}`}`);
      const verification = d["verification"] as { passed: boolean; checks: { name: string; status: "pass" | "fail" | "skipped" }[] } | undefined;
      if (verification !== undefined && !Array.isArray(verification))
        print(`    verification: ${verification.passed ? "passed" : "FAILED"} (${verification.checks.map((c) => `${c.status === "pass" ? "ok" : c.status === "fail" ? "FAIL" : "skipped"} ${c.name}`).join(", ")})`);
      if (typeof d["generator"] === "string") print(`    generator:    ${String(d["generator"])}`);
      print(`    outcome:      ${o.type}${"url" in o ? `  ${where(o.url)}` : ""}${"reason" in o ? `  (${o.reason})` : ""}${"message" in o ? `  (${o.message})` : ""}`);
    }
    const seconds = (performance.now() - started) / 1000;
    const header = `${pulls.length} pull request(s) opened on the fake GitHub in ${seconds.toFixed(1)} s by one \`process-once\` cycle over the fake Vanta's ${jobs.length} failing resources.`;
    writePulls(outDir, pulls, header);
    print(`\n${pulls.length} pull request(s) opened in ${seconds.toFixed(1)} s; exit code ${exitCode}. Each one (title, body, diff) is in ${shown}/ (index.md, pr-N.md):`);
    for (const pull of pulls) print(`  ${summaryLine(pull)}`);
    if (options.serve !== undefined) {
      const viewer = await startViewer(pulls, header);
      servers.push(viewer);
      const urls: DemoUrls = { viewer: viewer.url, github: github.url, vanta: vanta.url, bedrock: bedrock.url, pulls: Object.fromEntries(pulls.map((p) => [p.number, `${viewer.url}/pull/${p.number}`])) };
      print(`\nServing until Ctrl-C:`);
      print(`  pull requests (title, body, diff): ${urls.viewer}/  and  ${urls.viewer}/pull/N`);
      print(`  fake GitHub API: ${urls.github}  (e.g. curl -H "Authorization: token ghp_demo_token_not_real" ${urls.github}/repos/acme/infra/pulls)`);
      print(`  fake Vanta API:  ${urls.vanta}`);
      print(`  fake Bedrock:    ${urls.bedrock}`);
      await options.serve(urls);
    }
    return { exitCode, jobs, pulls, outDir, seconds };
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { serve: { type: "boolean", default: false }, out: { type: "string" } } });
  const result = await runDemo({ ...(values.out === undefined ? {} : { outDir: values.out }), ...(values.serve ? { serve: () => untilSignal() } : {}) });
  process.exitCode = result.exitCode;
}
