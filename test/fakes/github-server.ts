import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { BareMirror } from "./github-export.js";
import { mergeStatus, mergeTree } from "./github-merge.js";
import type { FlatEntry } from "./github-git-store.js";
import { apiRoutes, type Caller, type Ctx, type Identity, type Route } from "./github-routes.js";
import { gitRoutes } from "./github-routes-git.js";
import { createState, HttpError, humanSignature, now, pullsOf, type FakePull, type FakeRepo, type FakeState } from "./github-state.js";

/**
 * A wire-faithful fake of the GitHub REST API (services.md §2.6) over an in-memory git object
 * store with real SHAs, with rate limits, fault injection and latency. Clones are served as file
 * URLs: `exportRepo` (or the `gitDir` option) keeps a real bare repository at
 * `{dir}/{owner}/{name}.git` in step with every ref change, so `TERRAFIX_GIT_URL_TEMPLATE` can be
 * `file://{dir}/{owner}/{repo}.git`. Standalone: `npx tsx test/fakes/github-server.ts --port N [--git-dir DIR] [--repo owner/name=FOLDER]...`.
 */
export interface FakeGitHubOptions {
  /** Accepted tokens (PAT-like); by default any token is accepted. */
  tokens?: string[];
  /** The user a token authenticates as. */
  login?: string;
  app?: { id: number; slug: string };
  /** Primary limit per token and hour. */
  rateLimit?: number;
  latency?: Latency;
  /** Export every repository created to `{gitDir}/{owner}/{name}.git` (default: a temp folder). */
  gitDir?: string;
  port?: number;
  /**
   * GitHub's content-creation secondary limit: PRs, issues and comments per minute and per hour
   * (default 80 and 500, as github.com; false turns it off for benchmarks that create in bulk).
   * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
   */
  contentLimits?: { perMinute: number; perHour: number; retryAfter?: number } | false;
  /**
   * Answer `mergeable: null` / "unknown" on the first read of a PR after its base or head moved,
   * as GitHub does while a background job computes it (default off: tests read it once).
   * https://docs.github.com/en/rest/guides/using-the-rest-api-to-interact-with-your-git-database#checking-mergeability-of-pull-requests
   */
  lazyMergeability?: boolean;
}

export type Latency = number | ((request: { method: string; path: string }) => number);

export interface Fault {
  method?: string;
  path?: string | RegExp;
  /** primary: 403 + x-ratelimit-remaining 0; secondary: 403/429 + retry-after; status: any error status. */
  type: "primary" | "secondary" | "status";
  status?: number;
  retryAfter?: number;
  /** Seconds until x-ratelimit-reset for a primary fault. */
  resetIn?: number;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Run the handler first (the write happens) and then fail: a response lost on the way back. */
  afterHandler?: boolean;
}

export interface FakeGitHub {
  url: string;
  state: FakeState;
  /** `file://…/{owner}/{repo}.git` when gitDir was given. */
  gitUrlTemplate: string | undefined;
  close(): Promise<void>;
  createRepo(owner: string, name: string, files: Record<string, string>, defaultBranch?: string): { headSha: string };
  repo(owner: string, name: string): FakeRepo;
  pulls(owner: string, name: string): FakePull[];
  /** Text of every file at a branch (default branch when omitted). */
  files(owner: string, name: string, branch?: string): Record<string, string>;
  setFault(fault: Fault): void;
  clearFaults(): void;
  setLatency(latency: Latency): void;
  closePr(owner: string, name: string, number: number): void;
  mergePr(owner: string, name: string, number: number): string;
  /** A human's revert of a merge commit on the default branch (the merge's changes undone). */
  revertMerge(owner: string, name: string, mergeSha: string): string;
  /** The id of the App's bot user (GET /users/<slug>[bot]), not the App id. */
  botUserId: number;
  /** Another user with a token of its own (e.g. a human who opens issues). */
  addUser(login: string, token: string): void;
  addCollaborator(owner: string, name: string, login: string): void;
  addTeam(owner: string, name: string, slug: string): void;
  pushHumanCommit(owner: string, name: string, branch: string, files: Record<string, string>, message?: string): string;
  exportRepo(owner: string, name: string, dir: string): string;
}

const DEFAULT_APP = { id: 4242, slug: "terrafix" };
/** Bot users have their own ids (e.g. 41898282 for github-actions[bot]); distinct from the App id. */
const BOT_USER_ID = 149_000_001;
const DEFAULT_COLLABORATORS = ["alice", "bob", "carol", "dana"];
const CONTENT_ROUTES = [/^\/repos\/[^/]+\/[^/]+\/pulls$/, /^\/repos\/[^/]+\/[^/]+\/issues$/, /^\/repos\/[^/]+\/[^/]+\/issues\/\d+\/comments$/];

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const state = createState();
  const faults: (Fault & { left: number })[] = [];
  let latency: Latency = options.latency ?? 0;
  const app = options.app ?? DEFAULT_APP;
  const login = options.login ?? "terrafix-bot";
  const limit = options.rateLimit ?? 5000;
  const usage = new Map<string, { used: number; reset: number }>();
  let base = "";
  const gitDir = options.gitDir ?? mkdtempSync(join(tmpdir(), "terrafix-fakegh-"));
  const tokenUsers = new Map<string, Identity>();
  const primary: Identity = { login, name: login, email: `1001+${login}@users.noreply.github.com`, id: 1001 };
  state.users.set(login, { login, id: 1001, type: "User" });
  state.users.set(`${app.slug}[bot]`, { login: `${app.slug}[bot]`, id: BOT_USER_ID, type: "Bot" });
  const contentLimits = options.contentLimits === false ? undefined : (options.contentLimits ?? { perMinute: 80, perHour: 500 });
  const created: number[] = [];

  const repoOf = (owner: string, name: string): FakeRepo => {
    const repo = state.repos.get(`${owner}/${name}`.toLowerCase());
    if (repo === undefined) throw new HttpError(404, "Not Found");
    return repo;
  };
  const sync = (repo: FakeRepo): void => repo.mirror?.sync(repo.refs, repo.defaultBranch);
  const setRef = (repo: FakeRepo, branch: string, sha: string | undefined): void => {
    if (sha === undefined) repo.refs.delete(branch);
    else repo.refs.set(branch, sha);
    sync(repo);
  };
  const merge = (repo: FakeRepo, number: number): string => mergeInto(state, repo, number, setRef);

  function identify(req: IncomingMessage): Caller | undefined {
    const header = req.headers.authorization ?? "";
    const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header);
    if (match === null) return undefined;
    const token = match[1] ?? "";
    if (isJwt(token)) return { kind: "app", identity: botIdentity(app) };
    const installation = state.installationTokens.get(token);
    if (installation !== undefined) {
      if (installation.expiresAt < Date.now()) throw new HttpError(401, "Bad credentials");
      return { kind: "installation", identity: botIdentity(app) };
    }
    const other = tokenUsers.get(token);
    if (other !== undefined) return { kind: "user", identity: other };
    if (options.tokens !== undefined && !options.tokens.includes(token)) throw new HttpError(401, "Bad credentials");
    return { kind: "user", identity: primary };
  }

  /** Content creation beyond the limit gets GitHub's secondary-limit answer. */
  function checkContentLimit(method: string, path: string): void {
    if (contentLimits === undefined || method !== "POST" || !CONTENT_ROUTES.some((route) => route.test(path))) return;
    const at = Date.now();
    while (created.length > 0 && (created[0] ?? 0) <= at - 3600_000) created.shift();
    const lastMinute = created.filter((t) => t > at - 60_000).length;
    if (lastMinute >= contentLimits.perMinute || created.length >= contentLimits.perHour) {
      throw new HttpError(403, "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later.", undefined, { "retry-after": String(contentLimits.retryAfter ?? 60) });
    }
    created.push(at);
  }

  function rateHeaders(key: string): { headers: Record<string, string>; exceeded: boolean } {
    const nowSeconds = Math.floor(Date.now() / 1000);
    let entry = usage.get(key);
    if (entry === undefined || entry.reset <= nowSeconds) entry = { used: 0, reset: nowSeconds + 3600 };
    entry.used += 1;
    usage.set(key, entry);
    const remaining = Math.max(limit - entry.used, 0);
    const headers = { "x-ratelimit-limit": String(limit), "x-ratelimit-remaining": String(remaining), "x-ratelimit-used": String(entry.used), "x-ratelimit-reset": String(entry.reset), "x-ratelimit-resource": "core" };
    return { headers, exceeded: entry.used > limit };
  }

  function takeFault(method: string, path: string, after: boolean): Fault | undefined {
    const index = faults.findIndex(
      (f) => (f.afterHandler === true) === after && (f.method === undefined || f.method === method) && (f.path === undefined || (typeof f.path === "string" ? path === f.path : f.path.test(path))),
    );
    if (index === -1) return undefined;
    const fault = faults[index]!;
    fault.left -= 1;
    if (fault.left <= 0) faults.splice(index, 1);
    return fault;
  }

  function faultError(fault: Fault, headers: Record<string, string>): HttpError {
    switch (fault.type) {
      case "primary": {
        const reset = String(Math.floor(Date.now() / 1000) + (fault.resetIn ?? 1));
        Object.assign(headers, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset });
        return new HttpError(fault.status ?? 403, "API rate limit exceeded for user ID 1001.");
      }
      case "secondary":
        return new HttpError(fault.status ?? 403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", undefined, { "retry-after": String(fault.retryAfter ?? 1) });
      case "status":
        return new HttpError(fault.status ?? 502, fault.status === 503 ? "Service Unavailable" : "Server Error");
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8", "x-github-request-id": randomBytes(8).toString("hex").toUpperCase() };
    let status = 500;
    let payload: unknown;
    let caller = "anonymous";
    try {
      const body = await readJson(req);
      const delay = typeof latency === "function" ? latency({ method, path: url.pathname }) : latency;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const who = identify(req);
      if (who === undefined) throw new HttpError(401, "Requires authentication");
      caller = who.kind === "app" ? "app" : who.identity.login;
      const rate = rateHeaders(req.headers.authorization ?? "");
      Object.assign(headers, rate.headers);
      if (rate.exceeded) throw faultError({ type: "primary", resetIn: 3600 }, headers);
      const before = takeFault(method, url.pathname, false);
      if (before !== undefined) throw faultError(before, headers);
      checkContentLimit(method, url.pathname);
      const [route, params] = findRoute(method, url.pathname);
      const ctx: Ctx = {
        state,
        base,
        params,
        query: url.searchParams,
        body,
        caller: who,
        app,
        repo: () => repoOf(params[0] ?? "", params[1] ?? ""),
        setRef,
        merge,
        mergeable: (repo, pull) => {
          const head = repo.refs.get(pull.head) ?? pull.headSha;
          const baseHead = repo.refs.get(pull.base) ?? pull.baseSha;
          if (options.lazyMergeability === true && pull.mergeComputedFor !== `${baseHead}:${head}`) {
            // GitHub starts the computation on this read and answers null until it is done.
            pull.mergeComputedFor = `${baseHead}:${head}`;
            return { mergeable: null, state: "unknown" };
          }
          if (repo.mirror === undefined) return { mergeable: true, state: "clean" };
          return mergeStatus(repo.mirror.path, state.store, baseHead, head, repo.requireUpToDate === true);
        },
      };
      const reply = route[2](ctx);
      const after = takeFault(method, url.pathname, true);
      if (after !== undefined) throw faultError(after, headers);
      status = reply.status;
      payload = reply.body;
      Object.assign(headers, reply.headers ?? {});
    } catch (error) {
      const http = error instanceof HttpError ? error : new HttpError(500, error instanceof Error ? error.message : "Server Error");
      status = http.status;
      payload = { message: http.message, documentation_url: "https://docs.github.com/rest", status: String(http.status), ...(http.errors === undefined ? {} : { errors: http.errors }) };
      Object.assign(headers, http.headers);
    }
    state.requests.push({ method, path: url.pathname, status, caller });
    res.writeHead(status, headers);
    res.end(payload === undefined ? undefined : JSON.stringify(payload));
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakeGitHub = {
    url: base,
    state,
    gitUrlTemplate: `${pathToFileURL(gitDir).href}/{owner}/{repo}.git`,
    botUserId: BOT_USER_ID,
    addUser(userLogin, token) {
      const id = 2000 + tokenUsers.size;
      tokenUsers.set(token, { login: userLogin, name: userLogin, email: `${id}+${userLogin}@users.noreply.github.com`, id });
      state.users.set(userLogin, { login: userLogin, id, type: "User" });
    },
    addCollaborator: (owner, name, user) => void repoOf(owner, name).collaborators.add(user),
    addTeam: (owner, name, slug) => void repoOf(owner, name).teams.add(slug),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => {
        if (options.gitDir === undefined) rmSync(gitDir, { recursive: true, force: true });
        resolve();
      });
    }),
    createRepo(owner, name, files, defaultBranch = "main") {
      const entries = new Map<string, FlatEntry>(Object.entries(files).map(([path, text]) => [path, { mode: "100644", sha: state.store.blob(text) }]));
      const author = humanSignature("Repo Owner", "owner@example.com");
      const headSha = state.store.put({ type: "commit", tree: state.store.buildTree(entries), parents: [], author, committer: author, message: "Initial commit\n" });
      const repo: FakeRepo = {
        id: state.nextId++,
        owner,
        name,
        defaultBranch,
        refs: new Map([[defaultBranch, headSha]]),
        issues: [],
        labels: new Map(),
        comments: [],
        collaborators: new Set([...DEFAULT_COLLABORATORS, login, `${app.slug}[bot]`]),
        teams: new Set(),
      };
      state.repos.set(`${owner}/${name}`.toLowerCase(), repo);
      fake.exportRepo(owner, name, gitDir);
      return { headSha };
    },
    repo: repoOf,
    pulls: (owner, name) => pullsOf(repoOf(owner, name)),
    files(owner, name, branch) {
      const repo = repoOf(owner, name);
      const sha = repo.refs.get(branch ?? repo.defaultBranch);
      if (sha === undefined) throw new Error(`no branch ${branch ?? repo.defaultBranch}`);
      return state.store.files(sha);
    },
    setFault: (fault) => faults.push({ ...fault, left: fault.times ?? 1 }),
    clearFaults: () => faults.splice(0, faults.length),
    setLatency: (value) => {
      latency = value;
    },
    closePr(owner, name, number) {
      const repo = repoOf(owner, name);
      const pull = pullsOf(repo).find((p) => p.number === number);
      if (pull === undefined) throw new Error(`no PR #${number}`);
      pull.headSha = repo.refs.get(pull.head) ?? pull.headSha;
      pull.state = "closed";
      pull.closedAt = now();
      pull.updatedAt = now();
    },
    mergePr: (owner, name, number) => merge(repoOf(owner, name), number),
    revertMerge(owner, name, mergeSha) {
      const repo = repoOf(owner, name);
      const store = state.store;
      const merged = store.commit(mergeSha);
      const before = store.flatten(store.commit(merged.parents[0] ?? "").tree);
      const after = store.flatten(merged.tree);
      const head = repo.refs.get(repo.defaultBranch) ?? "";
      const result = store.flatten(store.commit(head).tree);
      for (const [path, entry] of after) if (before.get(path)?.sha !== entry.sha) {
        const old = before.get(path);
        if (old === undefined) result.delete(path);
        else result.set(path, old);
      }
      for (const [path, entry] of before) if (!after.has(path)) result.set(path, entry);
      const author = humanSignature();
      const sha = store.put({ type: "commit", tree: store.buildTree(result), parents: [head], author, committer: author, message: `Revert "${merged.message.split("\n")[0] ?? ""}"\n\nThis reverts commit ${mergeSha}.\n` });
      setRef(repo, repo.defaultBranch, sha);
      return sha;
    },
    pushHumanCommit(owner, name, branch, files, message = "Human edit") {
      const repo = repoOf(owner, name);
      const parent = repo.refs.get(branch);
      if (parent === undefined) throw new Error(`no branch ${branch}`);
      const entries = state.store.flatten(state.store.commit(parent).tree);
      for (const [path, text] of Object.entries(files)) entries.set(path, { mode: "100644", sha: state.store.blob(text) });
      const author = humanSignature();
      const sha = state.store.put({ type: "commit", tree: state.store.buildTree(entries), parents: [parent], author, committer: author, message });
      setRef(repo, branch, sha);
      return sha;
    },
    exportRepo(owner, name, dir) {
      const repo = repoOf(owner, name);
      const path = join(dir, owner, `${name}.git`);
      repo.mirror = new BareMirror(path, state.store);
      sync(repo);
      return path;
    },
  };
  return fake;
}

function findRoute(method: string, path: string): [Route, string[]] {
  let pathMatched = false;
  for (const route of [...gitRoutes, ...apiRoutes]) {
    const match = route[1].exec(path);
    if (match === null) continue;
    pathMatched = true;
    if (route[0] === method) return [route, match.slice(1)];
  }
  throw new HttpError(pathMatched ? 405 : 404, pathMatched ? "Method Not Allowed" : "Not Found");
}

/** A merge commit on the base branch: the PR's changes (vs the base it was opened on) applied to the current base. */
function mergeInto(state: FakeState, repo: FakeRepo, number: number, setRef: (repo: FakeRepo, branch: string, sha: string | undefined) => void): string {
  const pull = pullsOf(repo).find((p) => p.number === number);
  if (pull === undefined) throw new HttpError(404, "Not Found");
  if (pull.state !== "open") throw new HttpError(405, "Pull Request is not mergeable");
  const store = state.store;
  const headSha = repo.refs.get(pull.head) ?? pull.headSha;
  const baseHead = repo.refs.get(pull.base);
  if (baseHead === undefined) throw new HttpError(422, "Base branch is gone");
  if (repo.mirror === undefined) throw new Error("the fake merges with git on the bare mirror");
  // A three-way merge by git itself; a conflict is GitHub's 405 "not mergeable".
  const merged = mergeTree(repo.mirror.path, store, baseHead, headSha);
  if (!merged.clean || merged.tree === undefined) throw new HttpError(405, "Pull Request is not mergeable");
  const author = humanSignature("Merger", "merger@example.com");
  const sha = store.put({ type: "commit", tree: merged.tree, parents: [baseHead, headSha], author, committer: author, message: `Merge pull request #${number} from ${repo.owner}/${pull.head}\n` });
  setRef(repo, pull.base, sha);
  Object.assign(pull, { state: "closed", merged: true, mergedAt: now(), closedAt: now(), updatedAt: now(), headSha });
  return sha;
}

/** The App's bot user: its noreply e-mail uses the bot user's id, not the App id (reference §3). */
function botIdentity(app: { id: number; slug: string }): Identity {
  return { login: `${app.slug}[bot]`, name: `${app.slug}[bot]`, email: `${BOT_USER_ID}+${app.slug}[bot]@users.noreply.github.com`, id: BOT_USER_ID };
}

function isJwt(token: string): boolean {
  const parts = token.split(".");
  if (parts.length !== 3) return false;
  try {
    const header = JSON.parse(Buffer.from(parts[0] ?? "", "base64url").toString("utf8")) as { alg?: string };
    return typeof header.alg === "string";
  } catch {
    return false;
  }
}

/** Every file under a folder (without .git), as the content of a new fake repository. */
export function readTree(root: string, prefix = "", out: Record<string, string> = {}): Record<string, string> {
  for (const entry of readdirSync(join(root, prefix), { withFileTypes: true })) {
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.name === ".git") continue;
    if (entry.isDirectory()) readTree(root, path, out);
    else if (entry.isFile()) out[path] = readFileSync(join(root, path), "utf8");
  }
  return out;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return {};
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, "Problems parsing JSON");
  }
}

// Standalone: npx tsx test/fakes/github-server.ts --port 8081 [--git-dir /tmp/git]
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const arg = (name: string): string | undefined => {
    const index = process.argv.indexOf(name);
    return index === -1 ? undefined : process.argv[index + 1];
  };
  const gitDir = arg("--git-dir");
  const fake = await startFakeGitHub({ port: Number(arg("--port") ?? 0), ...(gitDir === undefined ? {} : { gitDir }) });
  // --repo owner/name=DIR (repeatable) seeds a repository from a folder's files.
  process.argv.forEach((value, index) => {
    const spec = value === "--repo" ? process.argv[index + 1] : undefined;
    const match = /^([^/=]+)\/([^=]+)=(.+)$/.exec(spec ?? "");
    if (match !== null) fake.createRepo(match[1] ?? "", match[2] ?? "", readTree(match[3] ?? "."));
  });
  console.log(JSON.stringify({ url: fake.url, gitUrlTemplate: fake.gitUrlTemplate }));
}
