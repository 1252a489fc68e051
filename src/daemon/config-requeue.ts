import type { JobRecord, StateStore } from "../ports/state-store.js";

/**
 * A job that ended for the operator's configuration, not for the failure itself: failed with
 * kind `config` (no repository, an unmapped test, model access...), or a record an earlier
 * TerraFix stored as finished, `no-match "no repository is configured for this failure"`, before
 * that case became failed(config). Such a record would otherwise stay finished forever: the
 * poller sees nothing new and `retry --failed` does not select it.
 */
export function isConfigProblem(job: Pick<JobRecord, "status" | "errorKind" | "outcome">): boolean {
  if (job.status === "failed") return job.errorKind === "config";
  return job.status === "done" && job.outcome?.type === "no-match" && /^no repository is configured\b/.test(job.outcome.reason);
}

/**
 * Configuration is read once per process, so every configuration problem an earlier process
 * recorded gets another go: the operator may have fixed it, and no `retry` should be needed.
 * Returns the number of jobs put back to pending.
 */
export async function requeueConfigProblems(store: StateStore, now: Date): Promise<number> {
  const [failed, done] = await Promise.all([store.list({ status: "failed" }), store.list({ status: "done" })]);
  const keys = [...failed, ...done].filter(isConfigProblem).map((j) => j.key);
  return keys.length === 0 ? 0 : store.requeue({ keys }, now, false);
}
