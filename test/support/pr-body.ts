import { execFileSync } from "node:child_process";

/** Reading back what a PR body shows of its change, and what real git says the branch changes. */

/** The rows of the body's "What changes" table: path (code span unwrapped) and its counts. */
export function tableRows(body: string | null): { path: string; added: number; removed: number }[] {
  const lines = (body ?? "").split("\n");
  const start = lines.indexOf("### What changes");
  if (start === -1) throw new Error("no What changes table in the body");
  const rows: { path: string; added: number; removed: number }[] = [];
  for (const line of lines.slice(start + 4)) {
    const row = /^\| `(.+)` \| \+(\d+) \| −(\d+) \|$/.exec(line);
    if (row === null) break;
    rows.push({ path: row[1]!, added: Number(row[2]), removed: Number(row[3]) });
  }
  return rows;
}

/** The text inside the body's collapsed Diff block. */
export function diffBlock(text: string | null): string {
  const body = text ?? "";
  const start = body.indexOf("<details><summary>Diff</summary>");
  const end = body.indexOf("\n</details>", start);
  if (start === -1 || end === -1) throw new Error("no Diff block in the body");
  return body.slice(start, end);
}

/** `git diff --numstat base head` in a (bare) repository: every changed path with its counts, by path. */
export function gitNumstat(gitDir: string, base: string, head: string): { path: string; added: number; removed: number }[] {
  const out = execFileSync("git", ["--git-dir", gitDir, "diff", "--numstat", "--no-renames", base, head], { encoding: "utf8" });
  return out
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const [added = "", removed = "", path = ""] = line.split("\t");
      return { path, added: Number(added), removed: Number(removed) };
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}
