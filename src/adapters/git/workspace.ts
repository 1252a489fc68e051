import { randomUUID } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { TerraFixError, isTerraFixError } from "../../errors.js";
import type { Logger } from "../../observability/logger.js";
import { SecretRegistry, secrets as processSecrets } from "../../observability/secrets.js";
import { repoSlug, type CheckoutLease, type RepoWorkspace, type RepositoryRef } from "../../ports/repo-workspace.js";
import { measureFolderBytes, scanCache } from "./clone-cache.js";
import { isLocalGitFailure } from "./errors.js";
import { gitEnv } from "./env.js";
import { cloneShallow, currentBranch, fetchBranch, lsRemoteHead, resetTo, revParse, type GitRunContext } from "./git-client.js";
import { RepoSlot } from "./repo-slot.js";
import { cloneUrl, validateUrlTemplate } from "./url.js";

export type TokenProvider = () => Promise<string | undefined>;

export interface GitWorkspaceOptions {
  cacheDir: string;
  /** TERRAFIX_GIT_URL_TEMPLATE, with {owner} and {repo}. */
  urlTemplate: string;
  /** A token, or a function returning the current one (GitHub App tokens expire hourly). */
  token?: string | TokenProvider | undefined;
  /** Bound of one git command (and its no-output timeout). */
  timeoutMs: number;
  /** Size bound of the cache; least recently used idle clones are evicted past it. */
  maxCacheBytes: number;
  logger: Logger;
  /** A sync this recent is reused without asking the remote. Default 5 s. */
  freshMs?: number;
  /**
   * While leases are held the checkout is shared as is; once it is older than this, new acquires
   * wait for the leases to end so the clone gets updated. Default 5 min.
   */
  maxStaleMs?: number;
  /** Clock in ms, injectable for tests. */
  now?: () => number;
  /** Where the token's forms are registered for log scrubbing; default the process registry. */
  secrets?: SecretRegistry;
}

export interface GitWorkspace extends RepoWorkspace {
  /** Clones known to the cache and their measured size, for metrics and benchmarks. */
  cacheStats(): { clones: number; bytes: number };
  /** Where the clone of a repository lives (the local publisher commits there). */
  dirOf(repo: RepositoryRef): string;
}

interface CloneState {
  repo: RepositoryRef;
  slug: string;
  dir: string;
  slot: RepoSlot;
  present: boolean;
  checkout: { defaultBranch: string; headSha: string } | undefined;
  syncedAt: number | undefined;
  lastUsedAt: number;
  sizeBytes: number;
  /** Sync attempts finished; a waiter that saw a later one fail shares its error. */
  generation: number;
  failure: { error: TerraFixError; generation: number } | undefined;
}

export function createGitWorkspace(options: GitWorkspaceOptions): GitWorkspace {
  validateUrlTemplate(options.urlTemplate);
  const cacheDir = resolve(options.cacheDir);
  const logger = options.logger.child({ component: "git-workspace" });
  const now = options.now ?? Date.now;
  const freshMs = options.freshMs ?? 5_000;
  const maxStaleMs = options.maxStaleMs ?? 300_000;
  const local = new SecretRegistry();
  const shared = options.secrets ?? processSecrets;
  const states = new Map<string, CloneState>();
  let ready: Promise<void> | undefined;

  function stateFor(repo: RepositoryRef): CloneState {
    const slug = repoSlug(repo);
    let state = states.get(slug);
    if (state === undefined) {
      if ([repo.owner, repo.name].some((part) => part === "." || part === ".." || part.startsWith("."))) {
        throw new TerraFixError(`invalid repository name ${slug}`, { kind: "config", stage: "workspace" });
      }
      state = {
        repo: { owner: repo.owner, name: repo.name },
        slug,
        dir: join(cacheDir, repo.owner, repo.name),
        slot: new RepoSlot(),
        present: false,
        checkout: undefined,
        syncedAt: undefined,
        lastUsedAt: now(),
        sizeBytes: 0,
        generation: 0,
        failure: undefined,
      };
      states.set(slug, state);
    }
    return state;
  }

  async function loadCache(): Promise<void> {
    await rm(join(cacheDir, ".tmp"), { recursive: true, force: true });
    const wallToClock = now() - Date.now();
    for (const clone of await scanCache(cacheDir)) {
      const state = stateFor({ owner: clone.owner, name: clone.name });
      state.present = true;
      state.lastUsedAt = clone.lastActivityMs + wallToClock;
      state.sizeBytes = await measureFolderBytes(clone.dir);
    }
  }

  async function resolveToken(): Promise<string | undefined> {
    const token = typeof options.token === "function" ? await options.token() : options.token;
    if (token !== undefined && token !== "") {
      const forms = gitEnv("https://x/", token).secrets;
      for (const form of forms) {
        local.add(form);
        shared.add(form);
      }
    }
    return token;
  }

  async function context(state: CloneState, url: string, signal: AbortSignal | undefined): Promise<GitRunContext> {
    return {
      repo: state.slug,
      env: gitEnv(url, await resolveToken()).env,
      timeoutMs: options.timeoutMs,
      signal,
      scrub: (text) => local.scrub(text),
    };
  }

  async function cloneInto(state: CloneState, git: GitRunContext, url: string): Promise<void> {
    const tmpRoot = join(cacheDir, ".tmp");
    const tmp = join(tmpRoot, `${state.repo.owner}__${state.repo.name}-${randomUUID().slice(0, 8)}`);
    await mkdir(tmpRoot, { recursive: true });
    try {
      // Clone beside the cache and rename into place, so a crash never leaves a half clone
      // where the next run would take it for a good one.
      await cloneShallow(git, tmpRoot, url, tmp);
      await rm(state.dir, { recursive: true, force: true });
      await mkdir(dirname(state.dir), { recursive: true });
      await rename(tmp, state.dir);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    state.present = true;
    try {
      state.checkout = { defaultBranch: await currentBranch(git, state.dir), headSha: await revParse(git, state.dir, "HEAD") };
    } catch (error) {
      throw new TerraFixError(`repository ${state.slug} has no commits on its default branch`, {
        kind: "permanent",
        stage: "workspace",
        cause: error,
      });
    }
  }

  async function update(state: CloneState, git: GitRunContext, url: string): Promise<boolean> {
    const remote = await lsRemoteHead(git, cacheDir, url);
    const branch = await currentBranch(git, state.dir);
    const head = await revParse(git, state.dir, "HEAD");
    const changed = remote.sha !== head || remote.branch !== branch;
    const target = changed ? await fetchBranch(git, state.dir, url, remote.branch) : head;
    await resetTo(git, state.dir, remote.branch, target, remote.branch !== branch);
    state.checkout = { defaultBranch: remote.branch, headSha: target };
    return changed;
  }

  async function sync(state: CloneState, signal: AbortSignal | undefined): Promise<void> {
    const url = cloneUrl(options.urlTemplate, state.repo);
    const git = await context(state, url, signal);
    const started = now();
    const reuse = state.present && (await isClone(state.dir));
    let fetched = true;
    if (reuse) {
      try {
        fetched = await update(state, git, url);
      } catch (error) {
        // A local operation failing (corrupt or half-deleted clone) is repaired by cloning
        // again; a network or not-found error is the remote's answer and is passed on.
        if (!isLocalGitFailure(error)) throw error;
        logger.warn({ repo: state.slug, err: error }, "cached clone unusable, cloning again");
        await cloneInto(state, git, url);
      }
    } else {
      await cloneInto(state, git, url);
    }
    state.syncedAt = now();
    state.sizeBytes = await measureFolderBytes(state.dir);
    logger.info(
      { repo: state.slug, reused: reuse, fetched, headSha: state.checkout?.headSha, durationMs: state.syncedAt - started, sizeBytes: state.sizeBytes },
      reuse ? "repository updated" : "repository cloned",
    );
  }

  function grant(state: CloneState): CheckoutLease {
    const checkout = state.checkout!;
    state.lastUsedAt = now();
    let released = false;
    return {
      repo: state.repo,
      dir: state.dir,
      defaultBranch: checkout.defaultBranch,
      headSha: checkout.headSha,
      release() {
        if (released) return;
        released = true;
        state.slot.readers -= 1;
        state.lastUsedAt = now();
        state.slot.notify();
      },
    };
  }

  async function evict(keep: CloneState): Promise<void> {
    let total = [...states.values()].reduce((sum, s) => sum + (s.present ? s.sizeBytes : 0), 0);
    if (total <= options.maxCacheBytes) return;
    const candidates = [...states.values()].filter((s) => s !== keep && s.present).sort((a, b) => a.lastUsedAt - b.lastUsedAt);
    for (const state of candidates) {
      if (total <= options.maxCacheBytes) break;
      if (!state.slot.idle || !state.present) continue;
      state.slot.busy = true;
      try {
        await rm(state.dir, { recursive: true, force: true });
        total -= state.sizeBytes;
        logger.info({ repo: state.slug, sizeBytes: state.sizeBytes }, "clone evicted");
        Object.assign(state, { present: false, checkout: undefined, syncedAt: undefined, sizeBytes: 0 });
      } finally {
        state.slot.busy = false;
        state.slot.notify();
      }
    }
    if (total > options.maxCacheBytes) {
      logger.warn({ bytes: total, maxBytes: options.maxCacheBytes }, "clone cache over its size bound");
    }
  }

  async function acquire(repo: RepositoryRef, signal?: AbortSignal): Promise<CheckoutLease> {
    ready ??= loadCache();
    await ready;
    const state = stateFor(repo);
    const slot = state.slot;
    const startGeneration = state.generation;
    slot.waiting += 1;
    try {
      for (;;) {
        if (isAborted(signal)) throw aborted(state);
        if (state.failure !== undefined && state.failure.generation > startGeneration) throw state.failure.error;
        if (!slot.busy && state.checkout !== undefined && state.present && state.syncedAt !== undefined) {
          const age = now() - state.syncedAt;
          if (age < freshMs || (slot.readers > 0 && age <= maxStaleMs)) {
            slot.readers += 1;
            return grant(state);
          }
        }
        if (!slot.busy && slot.readers === 0) {
          slot.busy = true;
          try {
            await sync(state, signal);
            state.generation += 1;
            state.failure = undefined;
            // Downgrade to a shared lease in the same tick the exclusive hold ends, so waiters
            // re-checking after notify() see a fresh checkout already held by a reader.
            slot.readers += 1;
          } catch (error) {
            const failure = isTerraFixError(error) ? error : new TerraFixError(`workspace of ${state.slug} failed`, { kind: "transient", stage: "workspace", cause: error });
            state.generation += 1;
            // Our own cancellation is not the repository's answer: waiters try for themselves.
            if (!isAborted(signal)) state.failure = { error: failure, generation: state.generation };
            logger.warn({ repo: state.slug, kind: failure.kind, err: failure }, "repository sync failed");
            throw failure;
          } finally {
            slot.busy = false;
            slot.notify();
          }
          const lease = grant(state);
          await evict(state);
          return lease;
        }
        try {
          await slot.changed(signal);
        } catch {
          throw aborted(state);
        }
      }
    } finally {
      slot.waiting -= 1;
    }
  }

  return {
    acquire,
    dirOf: (repo) => stateFor(repo).dir,
    cacheStats() {
      const present = [...states.values()].filter((s) => s.present);
      return { clones: present.length, bytes: present.reduce((sum, s) => sum + s.sizeBytes, 0) };
    },
  };
}

function aborted(state: CloneState): TerraFixError {
  return new TerraFixError(`checkout of ${state.slug} was aborted`, { kind: "transient", stage: "workspace" });
}

/** A function, not an inline check: TypeScript would keep the narrowing across the awaits. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

async function isClone(dir: string): Promise<boolean> {
  try {
    return (await stat(join(dir, ".git", "HEAD"))).isFile();
  } catch {
    return false;
  }
}
