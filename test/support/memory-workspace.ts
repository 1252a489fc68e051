import type { CheckoutLease, RepoWorkspace, RepositoryRef } from "../../src/ports/repo-workspace.js";
import { repoSlug } from "../../src/ports/repo-workspace.js";

/**
 * An in-memory RepoWorkspace: each repository is a directory already on disk (the git adapter
 * has its own tests against real bare repositories). It records what was acquired and released,
 * can be told to fail for one repository, and honours the abort signal as the git adapter does.
 */
export class MemoryWorkspace implements RepoWorkspace {
  readonly acquired: string[] = [];
  readonly released: string[] = [];
  readonly #dirs: Map<string, string>;
  failFor: { slug: string; error: Error } | undefined;

  constructor(dirs: Record<string, string>) {
    this.#dirs = new Map(Object.entries(dirs));
  }

  /** Leases acquired and not released yet. */
  get held(): number {
    return this.acquired.length - this.released.length;
  }

  acquire(repo: RepositoryRef, signal?: AbortSignal): Promise<CheckoutLease> {
    signal?.throwIfAborted();
    const slug = repoSlug(repo);
    if (this.failFor?.slug === slug) return Promise.reject(this.failFor.error);
    const dir = this.#dirs.get(slug);
    if (dir === undefined) return Promise.reject(new Error(`no checkout for ${slug}`));
    this.acquired.push(slug);
    let released = false;
    return Promise.resolve({
      repo,
      dir,
      defaultBranch: "main",
      headSha: "0".repeat(40),
      release: () => {
        // A lease released twice is a bug in the caller: record it so a test sees it.
        this.released.push(released ? `${slug} (again)` : slug);
        released = true;
      },
    });
  }
}
