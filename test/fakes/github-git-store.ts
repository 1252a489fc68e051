import { createHash } from "node:crypto";

/**
 * An in-memory git object store for the fake GitHub: blobs, trees and commits serialised exactly
 * as git does, so SHAs are real and the objects can be written into a real bare repository
 * (see github-export.ts) that `git clone`/`git fsck` accept.
 */
export interface Signature {
  name: string;
  email: string;
  date: string;
}

export type GitObject =
  | { type: "blob"; content: Buffer }
  | { type: "tree"; entries: TreeEntry[] }
  | { type: "commit"; tree: string; parents: string[]; author: Signature; committer: Signature; message: string };

export interface TreeEntry {
  mode: "100644" | "100755" | "040000" | "120000";
  name: string;
  sha: string;
}

export interface FlatEntry {
  mode: TreeEntry["mode"];
  sha: string;
}

export class GitStore {
  readonly objects = new Map<string, GitObject>();
  /** Commits GitHub would show as "Verified" (signed by GitHub for an App's API commit). */
  readonly verified = new Set<string>();

  put(object: GitObject): string {
    const body = serialize(object);
    const raw = Buffer.concat([Buffer.from(`${object.type} ${body.length}\0`), body]);
    const sha = createHash("sha1").update(raw).digest("hex");
    if (!this.objects.has(sha)) this.objects.set(sha, object);
    return sha;
  }

  /** The loose-object bytes (header + body) of an object, for writing a real repository. */
  raw(sha: string): Buffer {
    const object = this.get(sha);
    const body = serialize(object);
    return Buffer.concat([Buffer.from(`${object.type} ${body.length}\0`), body]);
  }

  get(sha: string): GitObject {
    const object = this.objects.get(sha);
    if (object === undefined) throw new Error(`no object ${sha}`);
    return object;
  }

  has(sha: string, type?: GitObject["type"]): boolean {
    const object = this.objects.get(sha);
    return object !== undefined && (type === undefined || object.type === type);
  }

  blob(content: string | Buffer): string {
    return this.put({ type: "blob", content: typeof content === "string" ? Buffer.from(content, "utf8") : content });
  }

  commit(sha: string): Extract<GitObject, { type: "commit" }> {
    const object = this.get(sha);
    if (object.type !== "commit") throw new Error(`${sha} is not a commit`);
    return object;
  }

  /** path -> blob for every file under a tree. */
  flatten(treeSha: string, prefix = "", out = new Map<string, FlatEntry>()): Map<string, FlatEntry> {
    const tree = this.get(treeSha);
    if (tree.type !== "tree") throw new Error(`${treeSha} is not a tree`);
    for (const entry of tree.entries) {
      const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      if (entry.mode === "040000") this.flatten(entry.sha, path, out);
      else out.set(path, { mode: entry.mode, sha: entry.sha });
    }
    return out;
  }

  /** Builds (nested) trees from a flat path map; returns the root tree SHA. */
  buildTree(files: Map<string, FlatEntry>): string {
    const dirs = new Map<string, Map<string, FlatEntry>>();
    const entries: TreeEntry[] = [];
    for (const [path, entry] of files) {
      const slash = path.indexOf("/");
      if (slash === -1) {
        entries.push({ mode: entry.mode, name: path, sha: entry.sha });
        continue;
      }
      const dir = path.slice(0, slash);
      const inner = dirs.get(dir) ?? new Map<string, FlatEntry>();
      inner.set(path.slice(slash + 1), entry);
      dirs.set(dir, inner);
    }
    for (const [dir, inner] of dirs) entries.push({ mode: "040000", name: dir, sha: this.buildTree(inner) });
    return this.put({ type: "tree", entries: sortEntries(entries) });
  }

  /** Text of every file at a commit. */
  files(commitSha: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [path, entry] of this.flatten(this.commit(commitSha).tree)) {
      const blob = this.get(entry.sha);
      if (blob.type === "blob") out[path] = blob.content.toString("utf8");
    }
    return out;
  }

  /** True when `ancestor` is reachable from `sha` through parents. */
  isAncestor(ancestor: string, sha: string): boolean {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length > 0) {
      const current = stack.pop() ?? "";
      if (current === ancestor) return true;
      if (seen.has(current) || !this.has(current, "commit")) continue;
      seen.add(current);
      stack.push(...this.commit(current).parents);
    }
    return false;
  }

  /** Every object reachable from a commit (for export). */
  reachable(sha: string, out = new Set<string>()): Set<string> {
    if (out.has(sha) || !this.objects.has(sha)) return out;
    out.add(sha);
    const object = this.get(sha);
    if (object.type === "commit") {
      this.reachable(object.tree, out);
      for (const parent of object.parents) this.reachable(parent, out);
    } else if (object.type === "tree") {
      for (const entry of object.entries) this.reachable(entry.sha, out);
    }
    return out;
  }
}

/** git sorts tree entries by name, comparing a subtree as if its name ended in "/". */
function sortEntries(entries: TreeEntry[]): TreeEntry[] {
  const key = (entry: TreeEntry): string => (entry.mode === "040000" ? `${entry.name}/` : entry.name);
  return [...entries].sort((a, b) => Buffer.compare(Buffer.from(key(a)), Buffer.from(key(b))));
}

function serialize(object: GitObject): Buffer {
  switch (object.type) {
    case "blob":
      return object.content;
    case "tree":
      return Buffer.concat(
        sortEntries(object.entries).map((entry) =>
          Buffer.concat([Buffer.from(`${entry.mode === "040000" ? "40000" : entry.mode} ${entry.name}\0`), Buffer.from(entry.sha, "hex")]),
        ),
      );
    case "commit": {
      const lines = [`tree ${object.tree}`, ...object.parents.map((p) => `parent ${p}`), `author ${signature(object.author)}`, `committer ${signature(object.committer)}`];
      const message = object.message.endsWith("\n") ? object.message : `${object.message}\n`;
      return Buffer.from(`${lines.join("\n")}\n\n${message}`, "utf8");
    }
  }
}

function signature(sig: Signature): string {
  const seconds = Math.floor(new Date(sig.date).getTime() / 1000);
  return `${sig.name} <${sig.email}> ${seconds} +0000`;
}
