import { TerraFixError } from "../../errors.js";

/** Runs git in the repository and returns stdout (the local publisher's `gitIn`). */
export type GitIn = (args: string[]) => Promise<string>;

/**
 * Refuses a change path that the base tree reaches through a symlink (mode 120000), or that is
 * one: the repository may commit `ext -> /somewhere/outside`, and writing `ext/main.tf` would
 * replace the link with a folder or, once checked out, land wherever it points. `..`, absolute
 * paths and `.git` are refused outright. https://git-scm.com/docs/git-ls-tree
 */
export async function assertTreePathsContained(git: GitIn, baseSha: string, paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    const segments = path.split("/");
    if (path.startsWith("/") || segments.some((s) => s === ".." || s === "" || s.toLowerCase() === ".git")) throw refused(path, "the path leaves the checkout");
    const prefixes = segments.map((_, i) => segments.slice(0, i + 1).join("/"));
    const listing = await git(["ls-tree", "-z", baseSha, "--", ...prefixes]);
    for (const entry of listing.split("\0")) {
      const [meta = "", entryPath = ""] = entry.split("\t");
      if (meta.startsWith("120000 ") && prefixes.includes(entryPath)) throw refused(path, `${entryPath} is a symlink in the repository`);
    }
  }
}

function refused(path: string, reason: string): TerraFixError {
  return new TerraFixError(`refusing to write ${path}: ${reason}`, { kind: "permanent", stage: "publish" });
}
