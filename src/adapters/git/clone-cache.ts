import { lstat, readdir, stat } from "node:fs/promises";
import { join } from "node:path";

/**
 * Apparent size of a folder in bytes (sum of file sizes, symlinks not followed). Walked
 * iteratively so a deep tree never overflows the stack.
 */
export async function measureFolderBytes(dir: string): Promise<number> {
  let total = 0;
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      continue; // removed while we walked it
    }
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else {
        try {
          total += (await lstat(path)).size;
        } catch {
          // removed while we walked it
        }
      }
    }
  }
  return total;
}

export interface CachedClone {
  owner: string;
  name: string;
  dir: string;
  /** Wall-clock ms of the clone's last git activity, the initial LRU order after a restart. */
  lastActivityMs: number;
}

/** Clones already in the cache folder (`<cacheDir>/<owner>/<name>/.git`), from a previous run. */
export async function scanCache(cacheDir: string): Promise<CachedClone[]> {
  const found: CachedClone[] = [];
  for (const owner of await listDirs(cacheDir)) {
    if (owner.startsWith(".")) continue; // .tmp and other bookkeeping
    for (const name of await listDirs(join(cacheDir, owner))) {
      const dir = join(cacheDir, owner, name);
      try {
        const info = await stat(join(dir, ".git"));
        found.push({ owner, name, dir, lastActivityMs: info.mtimeMs });
      } catch {
        // not a clone: a half-finished one is cleaned when that repository is next acquired
      }
    }
  }
  return found;
}

async function listDirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
}
