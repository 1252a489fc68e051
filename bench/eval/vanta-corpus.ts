/**
 * `npx tsx bench/eval/vanta-corpus.ts --corpus DIR --cases FILE [--group]`
 *
 * The end-to-end figure of the eval: the fake Vanta serves one failure for every (control,
 * resource) pair `terrafix check` fails on the corpus folder of FILE, identified as Vanta would
 * (displayName + responseType from the case file's match cases; the test id is the control's
 * Vanta test id, or the control id for controls without a known one). The fake GitHub serves
 * the corpus folder (read from DIR at run time, never stored in the project); `terrafix
 * process-once` runs with the rules generator, and the script prints the pull requests opened
 * against the fixable failures. `--group` keeps TerraFix's default of one PR per resource.
 * A benchmark, not a test: it prints figures and asserts nothing.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { controlById } from "../../src/controls/catalogue.js";
import { runCatalogue } from "../../src/controls/run-catalogue.js";
import { indexTerraform } from "../../src/pipeline/index.js";
import { startFakeGitHub } from "../../test/fakes/github-server.js";
import { startFakeVanta } from "../../test/fakes/vanta-server.js";
import type { ScenarioTest } from "../../test/fakes/vanta-scenario.js";
import { runTerrafix } from "../../test/support/cli.js";
import { CaseFile } from "./schema.js";

/** Vanta's responseType for an ARN's service and resource type, for cases that only have an ARN. */
const KIND_NAMES: Record<string, string> = { "rds:cluster": "RDS cluster", "rds:db": "RDS instance" };

function filesOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const abs = join(d, name);
      if (name === ".git") continue;
      if (statSync(abs).isDirectory()) walk(abs);
      else if (/\.(tf|tfvars|json|py|zip|sh)$/.test(name)) out[relative(dir, abs)] = readFileSync(abs, "utf8");
    }
  };
  walk(dir);
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { corpus: { type: "string" }, cases: { type: "string" }, group: { type: "boolean", default: false } } });
  if (values.corpus === undefined || values.cases === undefined) throw new Error("usage: vanta-corpus.ts --corpus DIR --cases FILE [--group]");
  const file = CaseFile.parse(JSON.parse(readFileSync(values.cases, "utf8")));
  const folder = join(values.corpus, file.path);
  const identities = new Map<string, { displayName: string; responseType: string }>();
  // Vanta sends displayName + responseType: a case with both wins over one with only an ARN.
  for (const c of file.match) {
    if (c.expect.status !== "matched" || identities.has(c.expect.address)) continue;
    if (c.identity.name !== undefined && c.identity.type !== undefined) identities.set(c.expect.address, { displayName: c.identity.name, responseType: c.identity.type });
  }
  for (const c of file.match) {
    if (c.expect.status !== "matched" || identities.has(c.expect.address) || c.identity.arn === undefined) continue;
    const arn = c.identity.arn.split(":");
    const type = KIND_NAMES[`${arn[2] ?? ""}:${arn[5] ?? ""}`];
    if (type !== undefined) identities.set(c.expect.address, { displayName: arn[6] ?? "", responseType: type });
  }
  const index = await indexTerraform(folder, undefined, {});
  const tests = new Map<string, ScenarioTest>();
  let n = 0;
  let unidentified = 0;
  for (const f of runCatalogue(index).findings.filter((x) => x.result === "fail")) {
    const control = controlById(f.control);
    const identity = identities.get(f.address);
    if (control === undefined || identity === undefined) {
      unidentified++;
      continue;
    }
    const id = control.vantaTestIds[0] ?? control.id;
    if (process.env.ONLY !== undefined && !process.env.ONLY.split(",").includes(id)) continue;
    const test = tests.get(id) ?? { id, name: control.title, entities: [] };
    test.entities?.push({ id: (++n).toString(16).padStart(24, "0"), ...identity });
    tests.set(id, test);
  }
  const failures = [...tests.values()].reduce((s, t) => s + (t.entities?.length ?? 0), 0);
  const work = mkdtempSync(join(tmpdir(), "terrafix-vanta-corpus-"));
  const github = await startFakeGitHub({ gitDir: join(work, "git"), contentLimits: false });
  const vanta = await startFakeVanta({ scenario: { tests: [...tests.values()] } });
  try {
    // The corpus under its own name and layout: trace tags (git_repo, git_file) must agree with both.
    const [owner = "corpus", name = "repo"] = file.corpus.split("/");
    github.createRepo(owner, name, filesOf(values.corpus));
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? tmpdir(),
      VANTA_API_URL: vanta.url,
      VANTA_CLIENT_ID: "eval",
      VANTA_CLIENT_SECRET: "eval-secret",
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: "ghp_eval_token",
      GITHUB_WRITE_PACING: "false",
      TERRAFIX_REPOSITORIES: file.path === "" ? file.corpus : `${file.corpus}:${file.path}`,
      TERRAFIX_GIT_URL_TEMPLATE: github.gitUrlTemplate ?? "",
      TERRAFIX_WORK_DIR: join(work, "clones"),
      TERRAFIX_STATE_URL: join(work, "state.db"),
      TERRAFIX_GENERATOR: "rules",
      TERRAFIX_MAX_PRS_PER_HOUR: "1000",
      TERRAFIX_MAX_OPEN_PRS: "1000",
      TERRAFIX_GROUP_BY_RESOURCE: values.group ? "true" : "false",
      ...(process.env.TERRAFIX_CONCURRENCY === undefined ? {} : { TERRAFIX_CONCURRENCY: process.env.TERRAFIX_CONCURRENCY }),
      LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
      ...(process.env.TERRAFIX_SOURCE === undefined ? {} : { TERRAFIX_SOURCE: process.env.TERRAFIX_SOURCE }),
    };
    const started = Date.now();
    const result = await runTerrafix(["process-once"], env);
    process.stdout.write(result.out);
    if (result.err.trim() !== "") process.stderr.write(result.err);
    const outcomes = new Map<string, number>();
    for (const line of result.out.split("\n")) {
      const m = /^([a-z-]+)\s{2,}/.exec(line);
      if (m?.[1] !== undefined) outcomes.set(m[1], (outcomes.get(m[1]) ?? 0) + 1);
    }
    const pulls = github.pulls(owner, name).length;
    process.stdout.write(`\n${file.corpus}@${file.commit.slice(0, 10)} (${file.path}): ${failures} fixable failures served (${tests.size} tests; ${unidentified} failing pairs without a Vanta-like identity left out)\n`);
    process.stdout.write(`outcomes: ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(", ")}\n`);
    process.stdout.write(`pull requests opened: ${pulls} of ${failures} fixable failures${values.group ? " (grouped by resource)" : ""}, exit ${result.code}, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    await Promise.all([github.close(), vanta.close()]);
    if (process.env.KEEP === undefined) rmSync(work, { recursive: true, force: true }); else process.stdout.write(`kept ${work}\n`);
  }
}

await main();
