import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { BareMirror } from "./github-export.js";
import { mergeInto, mergeStatus, updateBranch } from "./github-merge.js";
import type { FlatEntry } from "./github-git-store.js";
import { apiRoutes, type Caller, type Ctx, type Identity, type Reply, type Route } from "./github-routes.js";
import { gitRoutes } from "./github-routes-git.js";
import { issueRoutes } from "./github-routes-issues.js";
import { closePull, pushHumanCommit, revertMerge } from "./github-human.js";
import { BOT_USER_ID, identify } from "./github-auth.js";
import { createLimits, type Fault } from "./github-limits.js";
import { canonicalPath, redirectFor, renameRepo } from "./github-redirects.js";
import { createState, HttpError, humanSignature, pullsOf, type FakePull, type FakeRepo, type FakeState } from "./github-state.js";

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

export type { Fault } from "./github-limits.js";

export type Latency = number | ((request: { method: string; path: string }) => number);


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
  /** Merges as `PUT /pulls/{n}/merge` does, with its refusals (up-to-date protection, `sha`). */
  mergePr(owner: string, name: string, number: number, expectedSha?: string): string;
  /** `PUT /pulls/{n}/update-branch`: the base merged into the PR's head; returns the new head. */
  updatePrBranch(owner: string, name: string, number: number): string;
  /** A human's revert of a merge commit on the default branch (the merge's changes undone). */
  revertMerge(owner: string, name: string, mergeSha: string): string;
  /** The id of the App's bot user (GET /users/<slug>[bot]), not the App id. */
  botUserId: number;
  /** Another user with a token of its own (e.g. a human who opens issues). */
  addUser(login: string, token: string): void;
  addCollaborator(owner: string, name: string, login: string): void;
  addTeam(owner: string, name: string, slug: string): void;
  /** Switches Issues off in the repository's settings: issue routes answer 410, PRs keep working. */
  disableIssues(owner: string, name: string): void;
  /**
   * Renames (or transfers) the repository: the old owner/name answers GitHub's redirect (301 for
   * GET, 307 otherwise) to `/repositories/{id}/…`, and clones of the old URL keep working.
   */
  renameRepo(owner: string, name: string, newOwner: string, newName: string): void;
  pushHumanCommit(owner: string, name: string, branch: string, files: Record<string, string>, message?: string): string;
  exportRepo(owner: string, name: string, dir: string): string;
}

const DEFAULT_APP = { id: 4242, slug: "terrafix" };
const DEFAULT_COLLABORATORS = ["alice", "bob", "carol", "dana"];

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const state = createState();
  let latency: Latency = options.latency ?? 0;
  const app = options.app ?? DEFAULT_APP;
  const login = options.login ?? "terrafix-bot";
  let base = "";
  const gitDir = options.gitDir ?? mkdtempSync(join(tmpdir(), "terrafix-fakegh-"));
  const tokenUsers = new Map<string, Identity>();
  const primary: Identity = { login, name: login, email: `1001+${login}@users.noreply.github.com`, id: 1001 };
  state.users.set(login, { login, id: 1001, type: "User" });
  state.users.set(`${app.slug}[bot]`, { login: `${app.slug}[bot]`, id: BOT_USER_ID, type: "Bot" });
  const { faults, checkContentLimit, rateHeaders, takeFault, faultError } = createLimits(options.rateLimit ?? 5000, options.contentLimits);

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
  const merge = (repo: FakeRepo, number: number, expectedSha?: string): string => mergeInto(state, repo, number, setRef, expectedSha);

  /** Runs the route of a request whose path names the repository as `/repos/{owner}/{name}`. */
  function dispatch(method: string, path: string, query: URLSearchParams, body: unknown, caller: Caller): Reply {
    checkContentLimit(method, path);
    const [route, params] = findRoute(method, path);
    const ctx: Ctx = {
      state,
      base,
      params,
      query,
      body,
      caller,
      app,
      repo: () => repoOf(params[0] ?? "", params[1] ?? ""),
      setRef,
      merge,
      updateBranch: (repo, number, expected) => updateBranch(state, repo, number, setRef, expected),
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
    return route[2](ctx);
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
      const who = identify(req.headers.authorization, { state, app, tokenUsers, tokens: options.tokens, primary });
      if (who === undefined) throw new HttpError(401, "Requires authentication");
      caller = who.kind === "app" ? "app" : who.identity.login;
      const rate = rateHeaders(req.headers.authorization ?? "");
      Object.assign(headers, rate.headers);
      if (rate.exceeded) throw faultError({ type: "primary", resetIn: 3600 }, headers);
      const before = takeFault(method, url.pathname, false);
      if (before !== undefined) throw faultError(before, headers);
      const reply = redirectFor(state, base, method, url) ?? dispatch(method, canonicalPath(state, url.pathname), url.searchParams, body, who);
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
    disableIssues: (owner, name) => void (repoOf(owner, name).issuesDisabled = true),
    renameRepo: (owner, name, newOwner, newName) => renameRepo(state, repoOf(owner, name), newOwner, newName, gitDir),
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
    closePr: (owner, name, number) => closePull(repoOf(owner, name), number),
    mergePr: (owner, name, number, expectedSha) => merge(repoOf(owner, name), number, expectedSha),
    updatePrBranch: (owner, name, number) => updateBranch(state, repoOf(owner, name), number, setRef),
    revertMerge: (owner, name, mergeSha) => revertMerge(state, repoOf(owner, name), mergeSha, setRef),
    pushHumanCommit: (owner, name, branch, files, message) => pushHumanCommit(state, repoOf(owner, name), branch, files, setRef, message),
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
  for (const route of [...gitRoutes, ...issueRoutes, ...apiRoutes]) {
    const match = route[1].exec(path);
    if (match === null) continue;
    pathMatched = true;
    if (route[0] === method) return [route, match.slice(1)];
  }
  throw new HttpError(pathMatched ? 405 : 404, pathMatched ? "Method Not Allowed" : "Not Found");
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
