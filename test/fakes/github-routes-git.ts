import type { FlatEntry, Signature } from "./github-git-store.js";
import { renderCommit, renderTree } from "./github-render.js";
import { HttpError, now, validationFailed, type FakeRepo } from "./github-state.js";
import type { Ctx, Reply, Route } from "./github-routes.js";

/** Git Data API routes (services.md §2.1): blobs, trees with base_tree, commits, refs. */
export const gitRoutes: Route[] = [
  ["GET", /^\/repos\/([^/]+)\/([^/]+)\/git\/ref\/(.+)$/, getRef],
  ["GET", /^\/repos\/([^/]+)\/([^/]+)\/git\/refs\/(.+)$/, getRef],
  ["POST", /^\/repos\/([^/]+)\/([^/]+)\/git\/refs$/, createRef],
  ["PATCH", /^\/repos\/([^/]+)\/([^/]+)\/git\/refs\/(.+)$/, updateRef],
  ["DELETE", /^\/repos\/([^/]+)\/([^/]+)\/git\/refs\/(.+)$/, deleteRef],
  ["POST", /^\/repos\/([^/]+)\/([^/]+)\/git\/blobs$/, createBlob],
  ["GET", /^\/repos\/([^/]+)\/([^/]+)\/git\/blobs\/([0-9a-f]{40})$/, getBlob],
  ["POST", /^\/repos\/([^/]+)\/([^/]+)\/git\/trees$/, createTree],
  ["GET", /^\/repos\/([^/]+)\/([^/]+)\/git\/trees\/([0-9a-f]{40})$/, getTree],
  ["POST", /^\/repos\/([^/]+)\/([^/]+)\/git\/commits$/, createCommit],
  ["GET", /^\/repos\/([^/]+)\/([^/]+)\/git\/commits\/([0-9a-f]{40})$/, getCommit],
  ["GET", /^\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/, getContents],
  ["GET", /^\/repos\/([^/]+)\/([^/]+)\/compare\/([^/]+)$/, compare],
];

function gitRepo(ctx: Ctx): FakeRepo {
  const repo = ctx.repo();
  // An empty repository answers the Git Data API with 409 (services.md §2.1).
  if (repo.refs.size === 0) throw new HttpError(409, "Git Repository is empty.");
  return repo;
}

function branchOf(ref: string): string {
  const decoded = decodeURIComponent(ref);
  if (!decoded.startsWith("heads/")) throw new HttpError(404, "Not Found");
  return decoded.slice("heads/".length);
}

function refBody(ctx: Ctx, repo: FakeRepo, branch: string, sha: string): Record<string, unknown> {
  return {
    ref: `refs/heads/${branch}`,
    url: `${ctx.base}/repos/${repo.owner}/${repo.name}/git/refs/heads/${branch}`,
    object: { type: "commit", sha, url: `${ctx.base}/repos/${repo.owner}/${repo.name}/git/commits/${sha}` },
  };
}

function getRef(ctx: Ctx): Reply {
  const repo = gitRepo(ctx);
  const branch = branchOf(ctx.params[2] ?? "");
  const sha = repo.refs.get(branch);
  if (sha === undefined) throw new HttpError(404, "Not Found");
  return { status: 200, body: refBody(ctx, repo, branch, sha) };
}

function createRef(ctx: Ctx): Reply {
  const repo = gitRepo(ctx);
  const { ref, sha } = ctx.body as { ref?: string; sha?: string };
  if (typeof ref !== "string" || !ref.startsWith("refs/heads/") || ref.split("/").length < 3) throw new HttpError(422, "Reference name must start with 'refs/' and have at least two slashes.");
  if (typeof sha !== "string" || !ctx.state.store.has(sha, "commit")) throw new HttpError(422, "Object does not exist");
  const branch = ref.slice("refs/heads/".length);
  if (repo.refs.has(branch)) throw new HttpError(422, "Reference already exists");
  ctx.setRef(repo, branch, sha);
  return { status: 201, body: refBody(ctx, repo, branch, sha) };
}

function updateRef(ctx: Ctx): Reply {
  const repo = gitRepo(ctx);
  const branch = branchOf(ctx.params[2] ?? "");
  const { sha, force } = ctx.body as { sha?: string; force?: boolean };
  const current = repo.refs.get(branch);
  if (current === undefined) throw new HttpError(422, "Reference does not exist");
  if (typeof sha !== "string" || !ctx.state.store.has(sha, "commit")) throw new HttpError(422, "Object does not exist");
  if (force !== true && !ctx.state.store.isAncestor(current, sha)) throw new HttpError(422, "Update is not a fast forward");
  ctx.setRef(repo, branch, sha);
  return { status: 200, body: refBody(ctx, repo, branch, sha) };
}

function deleteRef(ctx: Ctx): Reply {
  const repo = gitRepo(ctx);
  const branch = branchOf(ctx.params[2] ?? "");
  if (!repo.refs.has(branch)) throw new HttpError(422, "Reference does not exist");
  ctx.setRef(repo, branch, undefined);
  return { status: 204, body: undefined };
}

function createBlob(ctx: Ctx): Reply {
  const repo = gitRepo(ctx);
  const { content, encoding = "utf-8" } = ctx.body as { content?: string; encoding?: string };
  if (typeof content !== "string") throw validationFailed("content is missing", "missing_field", "Blob");
  const sha = ctx.state.store.blob(encoding === "base64" ? Buffer.from(content, "base64") : Buffer.from(content, "utf8"));
  return { status: 201, body: { sha, url: `${ctx.base}/repos/${repo.owner}/${repo.name}/git/blobs/${sha}` } };
}

function getBlob(ctx: Ctx): Reply {
  gitRepo(ctx);
  const sha = ctx.params[2] ?? "";
  const blob = ctx.state.store.objects.get(sha);
  if (blob?.type !== "blob") throw new HttpError(404, "Not Found");
  return { status: 200, body: { sha, size: blob.content.length, encoding: "base64", content: blob.content.toString("base64") } };
}

interface TreeInput {
  path?: string;
  mode?: string;
  type?: string;
  sha?: string | null;
  content?: string;
}

function createTree(ctx: Ctx): Reply {
  const repo = gitRepo(ctx);
  const store = ctx.state.store;
  const { base_tree: baseTree, tree } = ctx.body as { base_tree?: string; tree?: TreeInput[] };
  if (!Array.isArray(tree)) throw validationFailed("tree is missing", "missing_field", "Tree");
  if (baseTree !== undefined && !store.has(baseTree, "tree")) throw new HttpError(422, "base_tree is not a valid tree");
  // Without base_tree every path not listed is dropped (services.md §2.1).
  const files = baseTree === undefined ? new Map<string, FlatEntry>() : store.flatten(baseTree);
  for (const entry of tree) {
    if (typeof entry.path !== "string" || entry.type !== "blob") throw new HttpError(422, "Invalid tree info");
    const mode = (entry.mode ?? "100644") as FlatEntry["mode"];
    if (entry.content !== undefined && entry.sha !== undefined) throw new HttpError(422, "Must supply either tree.sha or tree.content, not both");
    if (entry.content !== undefined) files.set(entry.path, { mode, sha: store.blob(entry.content) });
    else if (entry.sha === null) {
      if (!files.has(entry.path)) throw new HttpError(422, `GitRPC::BadObjectState: path ${entry.path} does not exist`);
      files.delete(entry.path);
    } else if (typeof entry.sha === "string" && store.has(entry.sha, "blob")) files.set(entry.path, { mode, sha: entry.sha });
    else throw new HttpError(422, "Invalid tree info");
  }
  const sha = store.buildTree(files);
  return { status: 201, body: renderTree(ctx.base, repo, store, sha, false) };
}

function getTree(ctx: Ctx): Reply {
  const repo = gitRepo(ctx);
  const sha = ctx.params[2] ?? "";
  if (!ctx.state.store.has(sha, "tree")) throw new HttpError(404, "Not Found");
  const recursive = ctx.query.get("recursive");
  return { status: 200, body: renderTree(ctx.base, repo, ctx.state.store, sha, recursive !== null && recursive !== "0" && recursive !== "false") };
}

function createCommit(ctx: Ctx): Reply {
  const repo = gitRepo(ctx);
  const store = ctx.state.store;
  const { message, tree, parents = [], author, committer } = ctx.body as {
    message?: string;
    tree?: string;
    parents?: string[];
    author?: Partial<Signature>;
    committer?: Partial<Signature>;
  };
  if (typeof message !== "string") throw validationFailed("message is missing", "missing_field", "Commit");
  if (typeof tree !== "string" || !store.has(tree, "tree")) throw new HttpError(422, "Tree SHA does not exist");
  for (const parent of parents) if (!store.has(parent, "commit")) throw new HttpError(422, "Parent SHA does not exist or is not a commit object");
  // GitHub attributes a commit without author to the authenticated user (or app bot).
  const who = ctx.caller.identity;
  const sign = (given: Partial<Signature> | undefined, fallback: Signature): Signature => ({
    name: given?.name ?? fallback.name,
    email: given?.email ?? fallback.email,
    date: given?.date ?? fallback.date,
  });
  const authorSig = sign(author, { name: who.name, email: who.email, date: now() });
  const committerSig = sign(committer, authorSig);
  const sha = store.put({ type: "commit", tree, parents, author: authorSig, committer: committerSig, message });
  // GitHub signs an App's API commit only without a custom author or committer (reference §3).
  if (ctx.caller.kind !== "user" && author === undefined && committer === undefined) ctx.state.verified.add(sha);
  return { status: 201, body: renderCommit(ctx.base, repo, store, sha) };
}

function getCommit(ctx: Ctx): Reply {
  const repo = gitRepo(ctx);
  const sha = ctx.params[2] ?? "";
  if (!ctx.state.store.has(sha, "commit")) throw new HttpError(404, "Not Found");
  return { status: 200, body: renderCommit(ctx.base, repo, ctx.state.store, sha) };
}

function getContents(ctx: Ctx): Reply {
  const repo = gitRepo(ctx);
  const path = decodeURIComponent(ctx.params[2] ?? "");
  const ref = ctx.query.get("ref") ?? repo.defaultBranch;
  const sha = repo.refs.get(ref) ?? (ctx.state.store.has(ref, "commit") ? ref : undefined);
  if (sha === undefined) throw new HttpError(404, `No commit found for the ref ${ref}`);
  const entry = ctx.state.store.flatten(ctx.state.store.commit(sha).tree).get(path);
  if (entry === undefined) throw new HttpError(404, "Not Found");
  const blob = ctx.state.store.get(entry.sha);
  const content = blob.type === "blob" ? blob.content : Buffer.alloc(0);
  return { status: 200, body: { type: "file", path, name: path.split("/").pop(), sha: entry.sha, size: content.length, encoding: "base64", content: content.toString("base64") } };
}

/**
 * "Compare two commits" (`base...head`), the part TerraFix reads: `files` with `filename` and
 * `status` (added, removed, modified), for a base that is an ancestor of head. No renames, no
 * patches, no 300-file cap (TerraFix branches change a handful of files).
 */
function compare(ctx: Ctx): Reply {
  const repo = gitRepo(ctx);
  const [base = "", head = ""] = decodeURIComponent(ctx.params[2] ?? "").split("...");
  const resolve = (ref: string): string => {
    const sha = repo.refs.get(ref) ?? (ctx.state.store.has(ref, "commit") ? ref : undefined);
    if (sha === undefined) throw new HttpError(404, "Not Found");
    return sha;
  };
  const store = ctx.state.store;
  const before = store.flatten(store.commit(resolve(base)).tree);
  const after = store.flatten(store.commit(resolve(head)).tree);
  const files: { filename: string; status: string }[] = [];
  for (const [path, entry] of after) {
    const old = before.get(path);
    if (old === undefined) files.push({ filename: path, status: "added" });
    else if (old.sha !== entry.sha) files.push({ filename: path, status: "modified" });
  }
  for (const path of before.keys()) if (!after.has(path)) files.push({ filename: path, status: "removed" });
  return { status: 200, body: { status: "ahead", files } };
}
