import { isIgnored, loadRepoConfig, type RepoConfig } from "../config/repo-config.js";
import type { Failure } from "../domain/failure.js";
import type { Outcome } from "../domain/outcome.js";
import type { Checkout, CheckoutLease, RepoWorkspace, RepositoryRef } from "../ports/repo-workspace.js";

/** A checkout with its `.terrafix.yml`. */
export interface RepoCheckout {
  checkout: Checkout;
  config: RepoConfig;
}

export interface WorkspaceInput {
  failure: Failure;
}

export interface WorkspaceDeps {
  workspace: RepoWorkspace;
  /** The repositories to search (TERRAFIX_REPOSITORIES). */
  repositories: readonly RepositoryRef[];
}

export type WorkspaceOutput =
  | { status: "ready"; checkouts: RepoCheckout[]; release(): void }
  | { status: "skip"; outcome: Extract<Outcome, { type: "failed" | "ignored" }>; release(): void };

/**
 * Stage 1: a stable checkout of every configured repository (held until `release()`), with its
 * `.terrafix.yml`; repositories whose file ignores this test or account are left out. Releases
 * what it acquired when it throws.
 */
export async function acquireCheckouts(input: WorkspaceInput, deps: WorkspaceDeps, signal: AbortSignal): Promise<WorkspaceOutput> {
  const { failure } = input;
  const leases: CheckoutLease[] = [];
  const release = (): void => {
    for (const lease of leases.splice(0)) lease.release();
  };
  // A configuration problem, not an answer about the failure: failed(config), never "done", so the
  // job runs again once the repositories are configured (the daemon requeues these at start).
  if (deps.repositories.length === 0)
    return { status: "skip", outcome: { type: "failed", kind: "config", message: "no repository is configured: set TERRAFIX_REPOSITORIES", retryable: false }, release };
  const checkouts: RepoCheckout[] = [];
  try {
    for (const repo of deps.repositories) {
      signal.throwIfAborted();
      const lease = await deps.workspace.acquire(repo, signal);
      leases.push(lease);
      checkouts.push({ checkout: lease, config: await loadRepoConfig(lease.dir) });
    }
  } catch (error) {
    release();
    throw error;
  }
  const relevant = checkouts.filter((c) => wants(c.config, failure));
  if (relevant.length === 0)
    return { status: "skip", outcome: { type: "ignored", reason: "every repository's .terrafix.yml ignores this test or account" }, release };
  return { status: "ready", checkouts: relevant, release };
}

function wants(config: RepoConfig, failure: Failure): boolean {
  if (isIgnored(config.ignoreTests, failure.testId)) return false;
  return config.accounts.length === 0 || failure.account === undefined || config.accounts.includes(failure.account);
}
