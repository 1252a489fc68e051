import { humanSignature, now, pullsOf, type FakeRepo, type FakeState } from "./github-state.js";

/** What people do on GitHub around TerraFix's PRs, for tests: close, push, revert. */
type SetRef = (repo: FakeRepo, branch: string, sha: string | undefined) => void;

export function closePull(repo: FakeRepo, number: number): void {
  const pull = pullsOf(repo).find((p) => p.number === number);
  if (pull === undefined) throw new Error(`no PR #${number}`);
  pull.headSha = repo.refs.get(pull.head) ?? pull.headSha;
  pull.state = "closed";
  pull.closedAt = now();
  pull.updatedAt = now();
}

/** A human's revert of a merge commit on the default branch (the merge's changes undone). */
export function revertMerge(state: FakeState, repo: FakeRepo, mergeSha: string, setRef: SetRef): string {
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
}

export function pushHumanCommit(state: FakeState, repo: FakeRepo, branch: string, files: Record<string, string>, setRef: SetRef, message = "Human edit"): string {
  const parent = repo.refs.get(branch);
  if (parent === undefined) throw new Error(`no branch ${branch}`);
  const entries = state.store.flatten(state.store.commit(parent).tree);
  for (const [path, text] of Object.entries(files)) entries.set(path, { mode: "100644", sha: state.store.blob(text) });
  const author = humanSignature();
  const sha = state.store.put({ type: "commit", tree: state.store.buildTree(entries), parents: [parent], author, committer: author, message });
  setRef(repo, branch, sha);
  return sha;
}
