import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { deflateSync } from "node:zlib";
import type { GitStore } from "./github-git-store.js";

/**
 * Keeps a real bare repository in step with a fake GitHub repository. We chose file URLs over
 * serving git's smart HTTP: the fake's objects are byte-exact git objects, so writing them as
 * loose objects (zlib-deflated, `objects/ab/cdef…`) plus ref files gives a repository that
 * `git clone file:///…/{owner}/{repo}.git` reads directly, with no extra process to manage.
 */
export class BareMirror {
  readonly #written = new Set<string>();

  constructor(
    readonly path: string,
    private readonly store: GitStore,
  ) {
    if (!existsSync(join(path, "HEAD"))) {
      mkdirSync(path, { recursive: true });
      execFileSync("git", ["init", "--bare", "--quiet", path]);
    }
  }

  /** Writes every object reachable from the refs and sets the refs and HEAD. */
  sync(refs: Map<string, string>, defaultBranch: string): void {
    // Objects are immutable: a written commit means everything it reaches is written too.
    const stack = [...refs.values()];
    while (stack.length > 0) {
      const sha = stack.pop() ?? "";
      if (this.#written.has(sha) || !this.store.has(sha)) continue;
      const object = this.store.get(sha);
      if (object.type === "commit") stack.push(object.tree, ...object.parents);
      else if (object.type === "tree") stack.push(...object.entries.map((entry) => entry.sha));
      this.#writeObject(sha);
    }
    const headsDir = join(this.path, "refs", "heads");
    for (const branch of listRefs(headsDir)) {
      if (!refs.has(branch)) rmSync(join(headsDir, branch), { force: true });
    }
    for (const [branch, sha] of refs) {
      const file = join(headsDir, branch);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${sha}\n`);
    }
    writeFileSync(join(this.path, "HEAD"), `ref: refs/heads/${defaultBranch}\n`);
  }

  #writeObject(sha: string): void {
    if (this.#written.has(sha)) return;
    const file = join(this.path, "objects", sha.slice(0, 2), sha.slice(2));
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, deflateSync(this.store.raw(sha)));
    }
    this.#written.add(sha);
  }
}

function listRefs(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const name = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...listRefs(join(dir, entry.name), name));
    else out.push(name);
  }
  return out;
}
