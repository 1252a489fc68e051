import { branchName, type Failure } from "../domain/failure.js";
import type { GenerationResult } from "../domain/generation.js";
import { addedTarget, matchedTarget, type MatchedTarget, type MissingTarget } from "../domain/target.js";
import type { PublishOutcome, Publisher } from "../ports/publisher.js";
import type { RepoCheckout } from "./workspace.js";

export interface PublishInput {
  key: string;
  failure: Failure;
  /** The repository the target is in, with its `.terrafix.yml`. */
  repo: RepoCheckout;
  /** The matched block, or the account-wide resource the change adds (located in the change). */
  target: MatchedTarget | MissingTarget;
  generation: Extract<GenerationResult, { type: "change" }>;
}

export interface PublishDeps {
  publisher: Publisher;
}

/**
 * Stage 6: hands the verified change to the publisher on the failure's branch, with the labels
 * and reviewers the repository's `.terrafix.yml` adds. The publisher is the pull-request policy
 * of `pipeline/publish/` (createPublishStage) over the Scm port: GitHub, local git or dry run.
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
      ...(repo.config.labels.length === 0 ? {} : { labels: repo.config.labels }),
      ...(repo.config.reviewers.length === 0 ? {} : { reviewers: repo.config.reviewers }),
    },
    signal,
  );
}
