import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Reply } from "./github-routes.js";
import type { FakeRepo, FakeState } from "./github-state.js";

/**
 * A renamed (or transferred) repository, as GitHub serves it: requests to the old
 * `/repos/{owner}/{name}/…` are redirected to `/repositories/{id}/…`, with 301 "Moved Permanently"
 * for GET and HEAD and 307 "Temporary Redirect" for the other methods (a 307 keeps the method and
 * body; a 301 would let clients turn a POST into a GET). The body is GitHub's:
 * `{"message":"Moved Permanently","url":…,"documentation_url":…}` (octokit/fixtures
 * `rename-repository`; 307 for a POST: VirtusLab/git-machete#597).
 * https://developer.github.com/changes/2015-04-17-preview-repository-redirects/
 */
const REPO_PATH = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/;
const ID_PATH = /^\/repositories\/(\d+)(\/.*)?$/;

export function redirectFor(state: FakeState, base: string, method: string, url: URL): Reply | undefined {
  const match = REPO_PATH.exec(url.pathname);
  if (match === null) return undefined;
  const old = `${match[1] ?? ""}/${match[2] ?? ""}`.toLowerCase();
  const id = state.redirects.get(old);
  // A repository created since under the old name wins, as on GitHub.
  if (id === undefined || state.repos.has(old)) return undefined;
  const location = `${base}/repositories/${id}${match[3] ?? ""}${url.search}`;
  const permanent = method === "GET" || method === "HEAD";
  return {
    status: permanent ? 301 : 307,
    body: { message: permanent ? "Moved Permanently" : "Temporary Redirect", url: location, documentation_url: "https://docs.github.com/v3/#http-redirects" },
    headers: { location },
  };
}

/** `/repositories/{id}/…` is the same resource as `/repos/{owner}/{name}/…`. */
export function canonicalPath(state: FakeState, path: string): string {
  const match = ID_PATH.exec(path);
  if (match === null) return path;
  const repo = [...state.repos.values()].find((r) => r.id === Number(match[1]));
  return repo === undefined ? path : `/repos/${repo.owner}/${repo.name}${match[2] ?? ""}`;
}

/**
 * Renames the repository in the fake's state. GitHub redirects git clones of the old URL too, so
 * the old bare-repository path keeps resolving: a symbolic link to the new one.
 */
export function renameRepo(state: FakeState, repo: FakeRepo, owner: string, name: string, gitDir: string): void {
  const old = `${repo.owner}/${repo.name}`.toLowerCase();
  state.repos.delete(old);
  state.redirects.set(old, repo.id);
  repo.owner = owner;
  repo.name = name;
  state.repos.set(`${owner}/${name}`.toLowerCase(), repo);
  state.redirects.delete(`${owner}/${name}`.toLowerCase());
  if (repo.mirror === undefined) return;
  const link = join(gitDir, owner, `${name}.git`);
  if (existsSync(link)) return;
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(repo.mirror.path, link, "dir");
}
