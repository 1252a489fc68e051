import { readFile } from "node:fs/promises";
import type { Config } from "../config/options.js";
import { identityOf, type Failure, type ResourceIdentity } from "../domain/failure.js";
import type { Logger } from "../observability/logger.js";
import type { IndexedCheckout, MatchStep, PipelineStages } from "../pipeline/stages.js";
import { controlsForTest, parseTestMappings } from "../controls/catalogue.js";
import { kindsFor } from "../domain/resource-kinds.js";
import type { FixModel } from "../ports/fix-model.js";
import { repoSlug, type RepositoryRef } from "../ports/repo-workspace.js";
import { ParseCache } from "../terraform/cache.js";
import { indexRepository } from "../terraform/index.js";
import { matchAcrossRepositories, type CrossRepositoryResult, type MatchCandidate } from "../terraform/match.js";
import { loadTerraformState, type TerraformState } from "../terraform/state.js";
import type { RepositoryIndex } from "../terraform/types.js";
import { writeFix } from "./fixer.js";

export interface StagesDeps {
  config: Config;
  logger: Logger;
  model: FixModel | undefined;
  formatter: ((text: string) => Promise<string | null>) | undefined;
  repositories: RepositoryRef[];
}

/** Binds the pipeline's stages to the Terraform index, the matcher and the fix strategy. */
export function createStages(deps: StagesDeps): PipelineStages<RepositoryIndex> {
  // One parse cache per process, keyed by file content hash: an unchanged checkout parses nothing.
  const cache = new ParseCache();
  // TERRAFIX_TERRAFORM_STATE is read once, by the first match, and shared by every match after it.
  let state: Promise<TerraformState | undefined> | undefined;
  const loadState = (): Promise<TerraformState | undefined> => {
    const file = deps.config.terraformStateFile;
    state ??= file === undefined ? Promise.resolve(undefined) : readFile(file, "utf8").then(loadTerraformState);
    return state;
  };
  return {
    repositoriesFor: () => deps.repositories,
    index: (checkout, repoConfig) => {
      // A repository reference's own path wins; a single path in .terrafix.yml narrows the index.
      const subPath = checkout.repo.path ?? (repoConfig.paths.length === 1 ? repoConfig.paths[0] : undefined);
      // Lazy validation: tree-sitter locates every block; hcl2json validates only the files a
      // match uses (see match below), which keeps indexing large repositories fast.
      return indexRepository(checkout.dir, { cache, validation: "lazy", ...(subPath === undefined ? {} : { subPath }) });
    },
    match: async (repos, failure) => {
      const result = await matchValidated(repos, identityOf(failure), await loadState());
      if (result.status === "no-match") {
        // An account-level test (password policy) whose resource is not in code yet: the fix adds it.
        const missing = accountLevelTarget(repos, failure, deps.config);
        return missing ?? { status: "no-match", reason: result.reason };
      }
      // Repository, address, file and line: what a human needs to pick one on the dashboard.
      const describe = (c: MatchCandidate & { repo: string }): string => `${c.repo}:${c.address} at ${c.file}:${c.startLine} (${c.confidence.toFixed(2)})`;
      if (result.status === "ambiguous") return { status: "ambiguous", reason: result.reason, candidates: result.candidates.slice(0, 5).map(describe) };
      const best = result.candidates[0];
      const repo = repos.find((r) => repoSlug(r.checkout.repo) === best?.repo);
      if (best === undefined || repo === undefined) return { status: "no-match", reason: "the matcher returned no candidate" };
      return {
        status: "matched",
        repo,
        candidate: best,
        target: { address: best.moduleCall?.address ?? best.address, file: best.file, startLine: best.startLine, endLine: best.endLine, confidence: best.confidence, reasons: best.reasons },
      };
    },
    publishExtras: (repo) => ({
      ...(repo.config.labels.length === 0 ? {} : { labels: repo.config.labels }),
      ...(repo.config.reviewers.length === 0 ? {} : { reviewers: repo.config.reviewers }),
    }),
    generate: ({ failure, match }, timeVerify, signal) =>
      writeFix(
        { index: match.repo.index, candidate: match.candidate as MatchCandidate, failure, generator: deps.config.generator },
        deps,
        timeVerify,
        signal,
      ),
  };
}

/**
 * Matches across repositories, then validates (hcl2json) the files of the candidates; a file
 * that does not parse is dropped from its index and the match runs again without it.
 */
async function matchValidated(
  repos: IndexedCheckout<RepositoryIndex>[],
  identity: ResourceIdentity,
  state: TerraformState | undefined,
): Promise<CrossRepositoryResult> {
  const indexes = repos.map((r) => ({ repo: repoSlug(r.checkout.repo), index: r.index }));
  for (;;) {
    const result = matchAcrossRepositories(indexes, identity, state === undefined ? {} : { state });
    let invalid = 0;
    for (const { repo, index } of indexes) {
      const files = [...new Set(result.candidates.filter((c) => c.repo === repo).map((c) => c.file))];
      invalid += (await index.validate(files)).length;
    }
    if (invalid === 0) return result;
  }
}

/**
 * For an account-level failure whose control can add the missing resource, a target that stands
 * for "the resource this repository should have": the first repository, no existing block.
 */
function accountLevelTarget(
  repos: IndexedCheckout<RepositoryIndex>[],
  failure: Failure,
  config: Config,
): MatchStep<RepositoryIndex> | undefined {
  const kinds = kindsFor(failure.responseType);
  if (kinds.length === 0 || !kinds.every((k) => k.accountLevel === true)) return undefined;
  const control = controlsForTest(failure.testId, parseTestMappings(config.testMappings)).find((c) => c.accountLevel === true);
  const repo = repos[0];
  if (control === undefined || repo === undefined) return undefined;
  const type = control.resourceTypes[0] ?? "";
  const candidate: MatchCandidate = {
    address: `${type}.this`,
    file: "",
    startLine: 0,
    endLine: 0,
    confidence: 1,
    reasons: [`account-level ${type} does not exist in ${repoSlug(repo.checkout.repo)}: the fix adds it`],
  };
  return { status: "matched", repo, candidate, target: { ...candidate, reasons: candidate.reasons } };
}
