import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDemo } from "../../demo/run.js";
import { diffBlock, tableRows } from "../support/pr-body.js";

const ROOT = process.cwd();
const scratch = mkdtempSync(join(tmpdir(), "tf-demo-test-"));
// The demo's own temp folders are counted in a private temp directory (os.tmpdir() reads TMPDIR),
// so another run on the machine cannot change the count.
const privateTmp = join(scratch, "tmp");
let savedTmp: string | undefined;

beforeAll(() => {
  mkdirSync(privateTmp);
  savedTmp = process.env["TMPDIR"];
});

afterAll(() => {
  if (savedTmp === undefined) delete process.env["TMPDIR"];
  else process.env["TMPDIR"] = savedTmp;
  rmSync(scratch, { recursive: true, force: true });
});

function demoDirs(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.startsWith("terrafix-demo-"));
}

describe("npm run demo", () => {
  it("opens a verified pull request for the 14 failures (two tests on one bucket share one), one of them written by the model; writes each PR to its folder and leaves nothing in the temp directory", async () => {
    process.env["TMPDIR"] = mkdtempSync(join(privateTmp, "run-"));
    const tmp = tmpdir();
    const outDir = join(scratch, "demo-output");
    const before = demoDirs(tmp);
    const lines: string[] = [];

    const result = await runDemo({ print: (line) => lines.push(line), outDir });

    expect(demoDirs(tmp)).toEqual(before);
    expect(readdirSync(tmp)).toEqual([]); // nothing else either
    expect(result.exitCode).toBe(0);
    expect(result.jobs).toHaveLength(14);
    // Two failing tests on one bucket go into one PR (TERRAFIX_GROUP_BY_RESOURCE, default on).
    const outcomes = result.jobs.map((j) => j.result.outcome.type);
    expect(outcomes.filter((o) => o !== "pr-opened")).toEqual(["pr-updated"]);
    expect(result.pulls).toHaveLength(13);
    expect(result.pulls.filter((p) => p.body.includes("### Also fixes"))).toHaveLength(1);
    const generators = result.jobs.map((j) => j.result.detail?.["generator"]);
    expect(generators.filter((g) => g === "llm")).toHaveLength(1);
    expect(generators.filter((g) => g === "rules")).toHaveLength(13);
    const llmJob = result.jobs.find((j) => j.result.detail?.["generator"] === "llm");
    expect(llmJob?.job.testId).toBe("serverless-function-error-rate-monitored-aws");
    const output = lines.join("\n");
    expect(output).toContain("match:        module.resizer.aws_lambda_function.this  modules/app/main.tf:29");
    expect(output).toContain("aws_iam_account_password_policy.this  (not in the code yet: the fix adds it)");
    expect(output).toContain("13 pull request(s) opened");
    for (const pull of result.pulls) expect(pull.body).toMatch(/verif/i);

    // One summary line per PR: title, repository, file, generator.
    for (const pull of result.pulls) expect(lines).toContain(`  #${pull.number}  ${pull.title} — acme/infra, ${pull.files.join(" ")}, ${pull.generators.join("+")}`);
    expect(lines.filter((l) => /^ {2}#\d+ {2}fix\(/.test(l))).toHaveLength(13);
    expect(output).toMatch(/#\d+ {2}fix\(module\.resizer\.aws_lambda_function\.this\): Lambda error rates are monitored — acme\/infra, modules\/app\/main\.tf, llm/);
    expect(output).toMatch(/#\d+ {2}fix\(aws_iam_account_password_policy\.this\): .* — acme\/infra, iam-password-policy\.tf, rules/);

    // The folder: index.md links every PR; each PR file has its title, body and diff.
    expect(result.outDir).toBe(outDir);
    const index = readFileSync(join(outDir, "index.md"), "utf8");
    expect(readdirSync(outDir).sort()).toEqual(["index.md", ...result.pulls.map((p) => `pr-${p.number}.md`)].sort());
    for (const pull of result.pulls) {
      expect(index).toContain(`| [#${pull.number}](pr-${pull.number}.md) |`);
      const text = readFileSync(join(outDir, `pr-${pull.number}.md`), "utf8");
      expect(text.startsWith(`# #${pull.number} ${pull.title}\n`)).toBe(true);
      expect(text).toContain(pull.body);
      for (const file of pull.files) expect(text).toContain(`+++ b/${file}`);
      expect(text).toMatch(/\n```diff\n--- a\/.*\n\+\+\+ b\/[\s\S]*\n@@ /);
    }
    // The grouped PR's diff holds both fixes of the bucket.
    const grouped = result.pulls.find((p) => p.body.includes("### Also fixes"));
    expect(grouped?.diff).toContain('resource "aws_s3_bucket_versioning" "uploads"');
    expect(grouped?.diff).toContain('resource "aws_s3_bucket_logging" "uploads"');
    // ...and so does its body: the table and the Diff block show the branch, not only the first test's fix.
    const shown = diffBlock(grouped?.body ?? null);
    expect(shown).toContain('+resource "aws_s3_bucket_versioning" "uploads" {');
    expect(shown).toContain('+resource "aws_s3_bucket_logging" "uploads" {');
    expect(tableRows(grouped?.body ?? null)).toEqual([{ path: "s3.tf", added: 13, removed: 0 }]);
  });

  it("--serve keeps the fakes and a viewer of the PRs up, prints their URLs, and stops on Ctrl-C leaving nothing in the temp directory", async () => {
    const tmp = mkdtempSync(join(privateTmp, "serve-"));
    const outDir = join(scratch, "served");
    // As `npm run demo` runs it: node with tsx's loader in-process, no tsx parent relaying signals.
    const child = spawn(process.execPath, ["--import", "tsx", "demo/run.ts", "--serve", "--out", outDir], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: tmp },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so Ctrl-C can be sent the way a terminal does: to the whole group.
      detached: true,
    });
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const lines: string[] = [];
    for await (const line of createInterface({ input: child.stdout })) {
      lines.push(line);
      if (line.startsWith("  fake Bedrock:")) break;
    }
    const output = lines.join("\n");
    expect(output, err).toContain("Serving until Ctrl-C:");
    expect(demoDirs(tmp)).toHaveLength(1); // the fakes' repositories and the state, while serving

    const viewer = /pull requests \(title, body, diff\): (http:\/\/127\.0\.0\.1:\d+)\//.exec(output)?.[1] ?? "";
    const github = /fake GitHub API: (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? "";
    const index = await fetch(`${viewer}/`);
    expect(index.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await index.text()).toContain("| [#13](/pull/13) |");
    const pull = await (await fetch(`${viewer}/pull/4`)).text();
    expect(pull).toMatch(/^# #4 fix\(/);
    expect(pull).toContain("## Diff");
    expect((await fetch(`${viewer}/pull/99`)).status).toBe(404);
    const pulls = (await (await fetch(`${github}/repos/acme/infra/pulls`, { headers: { authorization: "token ghp_demo_token_not_real" } })).json()) as unknown[];
    expect(pulls).toHaveLength(13);

    // A terminal's Ctrl-C: SIGINT to the whole process group.
    process.kill(-(child.pid ?? 0), "SIGINT");
    // tsx itself may end 130 for a group SIGINT (as npm does); what matters is the demo's clean-up.
    expect([0, 130]).toContain(await exited);
    expect(demoDirs(tmp)).toEqual([]);
    await expect(fetch(`${viewer}/`)).rejects.toThrow();
  });
});
