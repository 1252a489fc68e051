/**
 * What the demo leaves for a reader: each pull request of the fake GitHub (title, body, diff)
 * as Markdown in a folder, with an index, and one summary line per pull request.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTwoFilesPatch } from "diff";
import type { FinishedJob } from "../src/cli/commands/process-once.js";
import type { FakeGitHub } from "../test/fakes/github-server.js";

export interface DemoPull {
  number: number;
  title: string;
  repository: string;
  url: string;
  body: string;
  /** Changed files, relative to the repository root. */
  files: string[];
  diff: string;
  /** The generators of the jobs that went into it (rules, llm). */
  generators: string[];
  /** The file this pull request is written to, relative to the output folder. */
  file: string;
}

/** The pull requests of one repository of the fake GitHub, with their diffs against the base branch. */
export function collectPulls(github: FakeGitHub, owner: string, name: string, jobs: readonly FinishedJob[]): DemoPull[] {
  const base = github.files(owner, name);
  return github.pulls(owner, name).map((pull) => {
    const head = github.files(owner, name, pull.head);
    const files = [...new Set([...Object.keys(base), ...Object.keys(head)])].filter((f) => base[f] !== head[f]).sort();
    // createTwoFilesPatch starts with a "====" separator line that `git diff` does not print.
    const diff = files.map((f) => createTwoFilesPatch(`a/${f}`, `b/${f}`, base[f] ?? "", head[f] ?? "", undefined, undefined, { context: 3 }).replace(/^=+\n/, "")).join("");
    const url = `${github.url}/${owner}/${name}/pull/${pull.number}`;
    const generators = jobs
      .filter(({ result }) => "url" in result.outcome && result.outcome.url === url)
      .map(({ result }) => result.detail?.["generator"])
      .filter((g): g is string => typeof g === "string");
    return { number: pull.number, title: pull.title, repository: `${owner}/${name}`, url, body: pull.body ?? "", files, diff, generators: [...new Set(generators)], file: `pr-${pull.number}.md` };
  });
}

/** `#3  fix(aws_s3_bucket.uploads): … — acme/infra, s3.tf, rules` */
export function summaryLine(pull: DemoPull): string {
  return `#${pull.number}  ${pull.title} — ${pull.repository}, ${pull.files.join(" ") || "(no file)"}, ${pull.generators.join("+") || "?"}`;
}

/**
 * Writes `index.md` and one `pr-N.md` per pull request into `dir`. Only files of that shape from
 * an earlier run are removed: the folder may be one the user named, holding other files.
 */
export function writePulls(dir: string, pulls: readonly DemoPull[], header: string): void {
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) if (/^(index|pr-\d+)\.md$/.test(name)) rmSync(join(dir, name));
  for (const pull of pulls) writeFileSync(join(dir, pull.file), pullMarkdown(pull));
  writeFileSync(join(dir, "index.md"), indexMarkdown(pulls, header, (p) => p.file));
}

/** The index: one table row per pull request, linked with `link`. */
export function indexMarkdown(pulls: readonly DemoPull[], header: string, link: (pull: DemoPull) => string): string {
  const rows = pulls.map((p) => `| [#${p.number}](${link(p)}) | ${cell(p.title)} | ${cell(p.repository)} | ${p.files.map((f) => `\`${cell(f)}\``).join(" ")} | ${p.generators.join("+")} |`);
  return [`# TerraFix demo: ${pulls.length} pull request(s)`, "", header, "", "| PR | title | repository | files | generator |", "| --- | --- | --- | --- | --- |", ...rows, ""].join("\n");
}

export function pullMarkdown(pull: DemoPull): string {
  const fence = "`".repeat(Math.max(3, longestRun(pull.diff, "`") + 1));
  return [`# #${pull.number} ${pull.title}`, "", `${pull.repository} · ${pull.files.join(", ")} · generator: ${pull.generators.join("+")}`, "", "## Body", "", pull.body, "", "## Diff", "", `${fence}diff`, pull.diff.trimEnd(), fence, ""].join("\n");
}

/** A table cell: the title and paths come from the repository and Vanta, so `|` and newlines are escaped. */
function cell(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("|", "\\|").replaceAll(/\r?\n/g, " ");
}

function longestRun(text: string, char: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}
