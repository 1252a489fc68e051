import { lstat, realpath, writeFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, sep } from "node:path";

/**
 * Containment of every path TerraFix reads or writes in a checkout: a repository is untrusted
 * and may commit symlinks (`ext -> /etc`, `.terrafix.yml -> /proc/self/environ`). A path counts
 * as inside when its realpath is the checkout's realpath or below it.
 */
export async function realInside(root: string, rel: string): Promise<boolean> {
  if (isAbsolute(rel)) return false;
  const [realRoot, real] = await Promise.all([realpath(root), realpath(join(root, rel)).catch(undefinedWhenMissing)]);
  return real === undefined || within(realRoot, real);
}

export function within(realRoot: string, real: string): boolean {
  const r = relative(realRoot, real);
  return r === "" || (!r.startsWith(`..${sep}`) && r !== ".." && !isAbsolute(r));
}

/** A missing path has no realpath and reads nothing; anything else stays an error. */
function undefinedWhenMissing(error: unknown): undefined {
  if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
  throw error;
}

/** Refused write: the message names the path and why, never the file's content. */
export class ContainmentError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`refusing to write ${path}: ${reason}`);
    this.name = "ContainmentError";
  }
}

/**
 * Writes each file inside `root` only when the folder it lands in resolves inside the checkout
 * and the file itself is not a symlink (writing through one would land wherever it points).
 * Every path is checked before the first write, so a refusal leaves the checkout untouched.
 * Used by every writer into a checkout (`fix --apply`).
 */
export async function writeInsideCheckout(root: string, files: readonly { path: string; text: string }[]): Promise<void> {
  const targets = await Promise.all(files.map((f) => writableTarget(root, f.path)));
  for (const [i, f] of files.entries()) await writeFile(targets[i] as string, f.text);
}

async function writableTarget(root: string, rel: string): Promise<string> {
  if (isAbsolute(rel) || rel.split(/[\\/]/).some((seg) => seg === "..")) throw new ContainmentError(rel, "the path leaves the checkout");
  const realRoot = await realpath(root);
  const realDir = await realpath(dirname(join(root, rel)));
  if (!within(realRoot, realDir)) throw new ContainmentError(rel, "its folder is a symlink that leaves the checkout");
  const info = await lstat(join(root, rel)).catch(() => undefined);
  if (info?.isSymbolicLink() === true) throw new ContainmentError(rel, "the file is a symlink");
  if (info !== undefined && !info.isFile()) throw new ContainmentError(rel, "not a regular file");
  return join(realDir, basename(rel));
}
