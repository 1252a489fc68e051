/** A repository holding Terraform, optionally narrowed to a folder inside it. */
export interface RepositoryRef {
  owner: string;
  name: string;
  /** Folder inside the repository that holds the Terraform ("" or absent = the whole repository). */
  path?: string;
}

export interface Checkout {
  repo: RepositoryRef;
  /** Absolute path of the working tree. */
  dir: string;
  defaultBranch: string;
  /** Commit the working tree is at. */
  headSha: string;
}

/** A checkout held stable (no fetch/reset underneath) until released. */
export interface CheckoutLease extends Checkout {
  release(): void;
}

export interface RepoWorkspace {
  /** A fresh checkout of the default branch (cached clone, fetched and hard-reset on reuse). */
  acquire(repo: RepositoryRef, signal?: AbortSignal): Promise<CheckoutLease>;
}

export function repoSlug(repo: RepositoryRef): string {
  return `${repo.owner}/${repo.name}`;
}

/** Parses `owner/name` or `owner/name:path/inside`. */
export function parseRepositoryRef(text: string): RepositoryRef {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)(?::(.+))?$/.exec(text.trim());
  if (match === null) throw new Error(`invalid repository '${text}' (expected owner/name or owner/name:path)`);
  const [, owner = "", name = "", path] = match;
  const cleaned = path?.replace(/^\/+|\/+$/g, "");
  return cleaned === undefined || cleaned === "" ? { owner, name } : { owner, name, path: cleaned };
}
