import { indexRepository, type ParseCache } from "../terraform/index.js";
import type { Logger } from "../observability/logger.js";
import type { RepositoryIndex } from "../terraform/types.js";
import type { SharedIndexes } from "./shared-index.js";
import type { RepoCheckout } from "./workspace.js";

/** A checkout with its `.terrafix.yml` and its Terraform index. */
export interface IndexedCheckout extends RepoCheckout {
  index: RepositoryIndex;
}

export interface IndexDeps {
  /** One parse cache per process, keyed by file content hash: an unchanged checkout parses nothing. */
  cache?: ParseCache;
  /** One index per checkout and head commit, shared by concurrent jobs (the daemon's). */
  sharedIndexes?: SharedIndexes;
  /** Files over this many bytes are skipped and reported, never handed to the parser (TERRAFIX_MAX_FILE_BYTES). */
  maxFileBytes?: number;
  /** Warned once per index build: paths skipped (symlinks leaving the checkout, files over the size cap). */
  logger?: Pick<Logger, "warn">;
}

/** Stage 2: the Terraform index of every checkout. */
export async function indexCheckouts(checkouts: readonly RepoCheckout[], deps: IndexDeps, signal: AbortSignal): Promise<IndexedCheckout[]> {
  const out: IndexedCheckout[] = [];
  for (const c of checkouts) {
    signal.throwIfAborted();
    // A repository reference's own path wins; a single path in .terrafix.yml narrows the index.
    const subPath = c.checkout.repo.path ?? (c.config.paths.length === 1 ? c.config.paths[0] : undefined);
    const build = async (): Promise<RepositoryIndex> => {
      const built = await indexTerraform(c.checkout.dir, subPath, deps);
      for (const s of built.skipped ?? []) deps.logger?.warn({ file: s.file, reason: s.reason }, "path skipped by the index");
      return built;
    };
    const shared = deps.sharedIndexes;
    // Not raced against the signal: the lease keeps the tree still only while this job holds it.
    const index = await (shared === undefined ? build() : shared.get({ dir: c.checkout.dir, headSha: c.checkout.headSha, ...(subPath === undefined ? {} : { subPath }) }, build));
    out.push({ ...c, index });
  }
  return out;
}

/**
 * The index of one directory, as every caller builds it (daemon, `match`, `fix`). Lazy
 * validation: tree-sitter locates every block; hcl2json validates only the files a match uses
 * (pipeline/match.ts), which keeps indexing large repositories fast.
 */
export function indexTerraform(dir: string, subPath: string | undefined, deps: IndexDeps): Promise<RepositoryIndex> {
  return indexRepository(dir, {
    validation: "lazy",
    ...(deps.cache === undefined ? {} : { cache: deps.cache }),
    ...(deps.maxFileBytes === undefined ? {} : { maxFileBytes: deps.maxFileBytes }),
    ...(subPath === undefined ? {} : { subPath }),
  });
}
