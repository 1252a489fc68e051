import { branchName, type Failure } from "../../domain/failure.js";
import type { GenerationResult } from "../../domain/generation.js";
import { escapeMarkdown } from "../../domain/markdown.js";
import { addedTarget, matchedTarget, type MatchedTarget, type MissingTarget } from "../../domain/target.js";
import { coerceError } from "../../errors.js";
import type { Publisher, PublishOutcome, PublishRequest, ResolvedRequest } from "../../ports/publisher.js";
import { repoSlug } from "../../ports/repo-workspace.js";
import type { Scm, ScmPull } from "../../ports/scm.js";
import { markedKeys, parseMarker, type PrMarker } from "../../domain/proposal.js";
import { withPassing } from "./group-body.js";
import { isTerraFixPull } from "./limits.js";
import type { RepoCheckout } from "../workspace.js";
import { findLineage, MARKERS, RESOLVED_LABEL } from "./lineage.js";
import { publishWithPolicy, type PolicyContext, type PublishPolicyOptions } from "./policy.js";
import { commentOnce } from "./update.js";

export { type PublishPolicyOptions, type RebaseWhen } from "./policy.js";

export interface PublishInput {
  key: string;
  failure: Failure;
  /** The repository the target is in, with its `.terrafix.yml`. */
  repo: RepoCheckout;
  /** The matched block, or the account-wide resource the change adds (located in the change). */
  target: MatchedTarget | MissingTarget;
  generation: Extract<GenerationResult, { type: "change" }>;
  /** The verify stage bound to this job (index, controls), for a change combined with an open PR. */
  reverify?: PublishRequest["reverify"];
}

export interface PublishDeps {
  publisher: Publisher;
}

/**
 * Stage 6: hands the verified change to the publisher on the failure's branch, with the labels
 * and reviewers the repository's `.terrafix.yml` adds. The publisher is the pull-request policy
 * below (createPublishStage) over the Scm port: GitHub, local git or dry run. This file is the
 * stage; the rest of `pipeline/publish/` is the policy it runs.
 */
export function publishChange(input: PublishInput, deps: PublishDeps, signal: AbortSignal): Promise<PublishOutcome> {
  const { key, failure, repo, generation } = input;
  return deps.publisher.publish(
    {
      key,
      failure,
      repo: repo.checkout.repo,
      checkout: repo.checkout,
      branch: branchName(failure.testId, key),
      target: "resourceType" in input.target ? addedTarget(input.target, generation.change.files) : matchedTarget(input.target),
      change: generation.change,
      verification: generation.verification,
      ...(generation.llm === undefined ? {} : { llm: generation.llm }),
      ...(input.reverify === undefined ? {} : { reverify: input.reverify }),
      ...(repo.config.labels.length === 0 ? {} : { labels: repo.config.labels }),
      ...(repo.config.reviewers.length === 0 ? {} : { reviewers: repo.config.reviewers }),
    },
    signal,
  );
}

export interface PublishStageOptions extends PublishPolicyOptions {
  /** Close TerraFix's open PR (marked as TerraFix's own close) when the test passes again. */
  closeResolved: boolean;
}

/** The open TerraFix PR of a group that lists the key as a further member. */
async function groupHolding(scm: Scm, request: ResolvedRequest): Promise<{ pull: ScmPull; marker: PrMarker } | undefined> {
  for (const pull of (await scm.listPulls(request.repo, { state: "open" })).filter(isTerraFixPull)) {
    const marker = parseMarker(pull.body);
    if (marker?.also.some((k) => k.key === request.key) === true) return { pull, marker };
  }
  return undefined;
}

/**
 * The publish stage: the pull-request policy over one Scm. Idempotent: publishing the same key
 * twice never makes a second pull request. One publish per repository at a time in this process,
 * so limit checks and creation stay consistent (replicas are kept apart by the platform's own
 * answers: the PR list and "already exists").
 */
export function createPublishStage(scm: Scm, options: PublishStageOptions): Publisher {
  const log = options.logger.child({ component: "publish", scm: scm.name });
  const ctx: PolicyContext = { scm, options, log, now: options.now ?? (() => new Date()) };
  const locks = new Map<string, Promise<unknown>>();

  function withRepoLock<T>(slug: string, work: () => Promise<T>): Promise<T> {
    const previous = locks.get(slug) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    locks.set(slug, tail);
    void tail.then(() => {
      if (locks.get(slug) === tail) locks.delete(slug);
    });
    return run;
  }

  return {
    name: scm.name,
    publish(request: PublishRequest, signal?: AbortSignal): Promise<PublishOutcome> {
      return withRepoLock(repoSlug(request.repo), () =>
        scm.withSignal(signal, async () => {
          signal?.throwIfAborted();
          try {
            return await publishWithPolicy({ ...ctx, log: log.child({ repo: repoSlug(request.repo), branch: request.branch, key: request.key.slice(0, 10) }) }, request);
          } catch (error) {
            throw coerceError(error, "publish");
          }
        }),
      );
    },
    async resolve(request: ResolvedRequest, signal?: AbortSignal) {
      if (!options.closeResolved || scm.mode !== "pull-requests") return { closed: false };
      return scm.withSignal(signal, async () => {
        try {
          const { latest } = await findLineage(scm, request.repo, request.branch);
          const own = latest.state === "open" && latest.marker?.key === request.key ? { pull: latest.pull, marker: latest.marker } : await groupHolding(scm, request);
          // Only an open PR that carries this key in its marker is TerraFix's to close.
          if (own === undefined) return { closed: false };
          const { pull, marker } = own;
          // A group closes only when every test it fixes passes; until then its body says which do.
          const passing = new Set([...(marker.passing ?? []), request.key]);
          if (markedKeys(marker).some((k) => !passing.has(k.key))) {
            if (marker.passing?.includes(request.key) !== true) {
              await scm.updatePull(request.repo, pull.number, { body: withPassing(pull.body, marker, request.key, request.failure.testName) });
              log.info({ url: pull.url }, "grouped pull request: one of its tests passes now");
            }
            return { closed: false };
          }
          const latestPull = pull;
          const number = latestPull.number;
          const what = marker.also.length > 0 ? "every test this pull request fixes" : `**${escapeMarkdown(request.failure.testName)}**`;
          await commentOnce(ctx, request, number, MARKERS.resolved, `Vanta now reports ${what} passing for this resource, so TerraFix is closing this pull request. If the test fails again, TerraFix proposes a fix again.`);
          // The label and the comment mark this close as TerraFix's own: it is never read as a decline.
          await scm.addLabels(request.repo, number, [RESOLVED_LABEL]);
          await scm.updatePull(request.repo, number, { state: "closed" });
          log.info({ url: latestPull.url }, "pull request closed: failure resolved");
          return { closed: true, url: latestPull.url };
        } catch (error) {
          throw coerceError(error, "publish");
        }
      });
    },
  };
}
