import { resolve } from "node:path";
import { requireFor, secretValues } from "../config/load.js";
import type { Config } from "../config/options.js";
import { createFileSource } from "../adapters/file-source/file-source.js";
import { createGitWorkspace } from "../adapters/git/workspace.js";
import { createGitHubScm } from "../adapters/github/index.js";
import { createDryRunScm, createLocalScm } from "../adapters/local-publisher/index.js";
import { openStateStore } from "../adapters/state/open-state-store.js";
import { createVantaSource } from "../adapters/vanta/source.js";
import { Daemon } from "../daemon/daemon.js";
import type { JobResult } from "../daemon/worker-pool.js";
import { createLogger, type Logger } from "../observability/logger.js";
import { createMetrics, registerStoreGauges, type Metrics } from "../observability/metrics.js";
import { secrets } from "../observability/secrets.js";
import { runPipeline } from "../pipeline/run-job.js";
import type { FailureSource } from "../ports/failure-source.js";
import type { FixModel } from "../ports/fix-model.js";
import type { Publisher } from "../ports/publisher.js";
import type { JobRecord, StateStore } from "../ports/state-store.js";
import type { RepositoryRef, RepoWorkspace } from "../ports/repo-workspace.js";
import { branchName } from "../domain/failure.js";
import { repositories, retryPolicy } from "./runtime-options.js";
import { createPublishStage } from "../pipeline/publish/index.js";
import { createPublishCycle } from "../pipeline/publish/cycle.js";
import type { Scm } from "../ports/scm.js";
import { createModel } from "./model.js";
import { pipelineDeps } from "./pipeline-deps.js";

export interface Runtime {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  store: StateStore;
  source: FailureSource;
  workspace: RepoWorkspace;
  publisher: Publisher;
  model: FixModel | undefined;
  daemon: Daemon;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** `process-once --dry-run` forces the dry-run publisher. */
  publisher?: Config["publisher"];
  logger?: Logger;
  /** Where the built logger writes: stderr (one-shot commands, the default) or stdout (the daemon). */
  logTo?: "stdout" | "stderr";
  /** The command's environment (AWS credentials for the model); default process.env. */
  env?: NodeJS.ProcessEnv;
  onJobFinished?: (job: JobRecord, result: JobResult) => void;
}

/**
 * Builds every adapter from the configuration and wires the daemon. The only place (with the
 * other files of this folder) where adapters are constructed.
 */
export async function buildRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  for (const value of secretValues(config)) secrets.add(value);
  const publisherKind = options.publisher ?? config.publisher;
  requireFor(config, [
    "work-jobs",
    ...(config.source === "vanta" ? (["poll-vanta"] as const) : []),
    ...(publisherKind === "github" ? (["publish-github"] as const) : []),
  ]);
  const logger = options.logger ?? createLogger({ level: config.logLevel, format: config.logFormat, to: options.logTo ?? "stderr" });
  const metrics = createMetrics({ defaultMetrics: true });
  const store = await openStateStore(config.stateUrl, { retry: retryPolicy(config), logger });
  registerStoreGauges(metrics.registry, store, logger);

  const source: FailureSource =
    config.source === "vanta"
      ? createVantaSource({
          apiUrl: config.vantaApiUrl,
          clientId: config.vantaClientId ?? "",
          clientSecret: config.vantaClientSecret ?? "",
          frameworkFilter: config.vantaFrameworkFilter,
          integrationFilter: config.vantaIntegrationFilter,
          requestsPerMinute: config.vantaRequestsPerMinute,
          maxAttempts: config.vantaMaxAttempts,
          enrich: config.vantaEnrich,
          requestTimeoutMs: config.vantaRequestTimeoutSeconds * 1000,
          pollMaxPages: config.vantaPollMaxPages,
          pollMaxSeconds: config.vantaPollMaxSeconds,
          logger,
        })
      : createFileSource(resolve(config.source.slice("file:".length)), { logger });

  // The GitHub adapter is built whenever there is GitHub auth: clones take its current token
  // (a GitHub App's installation token expires hourly), whatever the publisher.
  const github = config.githubToken !== undefined || config.githubAppId !== undefined ? createGitHub(config, logger) : undefined;
  const workspace = createGitWorkspace({
    cacheDir: resolve(config.workDir),
    urlTemplate: config.gitUrlTemplate,
    token: github === undefined ? config.githubToken : () => github.gitToken(),
    timeoutMs: config.gitTimeoutSeconds * 1000,
    maxCacheBytes: config.cloneCacheMaxMb * 1024 * 1024,
    logger,
  });
  const scm = createScm(config, publisherKind, logger, github, (repo) => workspace.dirOf(repo));
  const publisher = createPublishStage(scm, {
    labels: config.prLabels,
    reviewers: config.prReviewers,
    teamReviewers: config.prTeamReviewers,
    assignees: config.prAssignees,
    maxPrsPerHour: config.maxPrsPerHour,
    maxOpenPrs: config.maxOpenPrs,
    recheckMs: config.pollIntervalSeconds * 1000,
    rebaseWhen: config.rebaseWhen,
    groupByResource: config.groupByResource,
    closeResolved: config.closeResolvedPrs,
    vantaAppUrl: config.vantaAppUrl,
    logger,
  });
  const cycle = createPublishCycle({ scm, store, repositories: repositories(config), maxOpenPrs: config.maxOpenPrs, rebaseWhen: config.rebaseWhen, dashboard: config.dashboard, logger });
  const model = config.generator === "rules" ? undefined : createModel(config, options.env ?? process.env, logger);
  const pipeline = pipelineDeps(config, { workspace, publisher, model, logger, metrics });

  const daemon = new Daemon({
    source,
    store,
    logger,
    metrics,
    concurrency: config.concurrency,
    queueSize: config.queueSize,
    pollIntervalMs: config.pollIntervalSeconds * 1000,
    leaseMs: config.leaseSeconds * 1000,
    fullResyncHours: config.vantaFullResyncHours,
    runJob: (job, signal) => runPipeline({ key: job.key, failure: job.failure, attempt: job.attempts }, pipeline, signal),
    ...(config.closeResolvedPrs
      ? {
          onResolved: async (failure, key) => {
            for (const repo of repositories(config)) await publisher.resolve({ key, failure, repo, branch: branchName(failure.testId, key) });
          },
        }
      : {}),
    ...(options.onJobFinished === undefined ? {} : { onJobFinished: options.onJobFinished }),
    cycle,
  });
  return {
    config,
    logger,
    metrics,
    store,
    source,
    workspace,
    publisher,
    model,
    daemon,
    close: () => store.close(),
  };
}

function createGitHub(config: Config, logger: Logger): ReturnType<typeof createGitHubScm> {
  const author = /^(.+) <(.+)>$/.exec(config.githubCommitAuthor ?? "");
  return createGitHubScm({
    apiUrl: config.githubApiUrl,
    auth:
      config.githubToken !== undefined
        ? { token: config.githubToken }
        : { appId: config.githubAppId ?? "", privateKey: config.githubAppPrivateKey ?? "", installationId: config.githubAppInstallationId ?? "" },
    ...(author === null ? {} : { commitAuthor: { name: author[1] ?? "", email: author[2] ?? "" } }),
    throttle: { pacing: config.githubWritePacing },
    logger,
  });
}

function createScm(config: Config, kind: Config["publisher"], logger: Logger, github: ReturnType<typeof createGitHubScm> | undefined, dirOf: (repo: RepositoryRef) => string): Scm {
  switch (kind) {
    case "dry-run":
      return createDryRunScm({ dir: resolve(config.dryRunDir), logger });
    case "local":
      return createLocalScm({ logger, dirOf });
    case "github":
      return github ?? createGitHub(config, logger);
  }
}
