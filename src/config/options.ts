import { z } from "zod";

/**
 * Every TerraFix option, in one table: environment name, type (a zod schema that accepts the
 * string form from the environment and the native form from YAML), default, description and
 * whether it is a secret. README's configuration table and .env.example are generated from it
 * (`npm run docs:config`) and a test keeps them in step.
 */
export interface OptionSpec<S extends z.ZodType = z.ZodType> {
  env: string;
  schema: S;
  description: string;
  /** The default as an operator would write it in the environment; absent = optional, no default. */
  default?: string;
  secret?: boolean;
  /** Shown in .env.example instead of the default. */
  example?: string;
}

const str = () => z.string().trim().min(1);
const int = (min: number, max: number) =>
  z
    .union([z.number(), z.string().trim().regex(/^-?\d+$/, "must be a whole number")])
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
const num = (min: number, max: number) =>
  z
    .union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/, "must be a number")])
    .transform(Number)
    .pipe(z.number().min(min).max(max));
const bool = () =>
  z.union([z.boolean(), z.enum(["true", "false", "1", "0", "yes", "no"])]).transform((v) =>
    typeof v === "boolean" ? v : v === "true" || v === "1" || v === "yes",
  );
const list = () =>
  z.union([z.array(z.string()), z.string()]).transform((v) =>
    (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter((s) => s.length > 0),
  );
const url = () => z.url();

function option<const T extends OptionSpec>(spec: T): T {
  return spec;
}

export const OPTIONS = {
  vantaClientId: option({ env: "VANTA_CLIENT_ID", schema: str(), description: "Vanta OAuth application client id", example: "vci_..." }),
  vantaClientSecret: option({ env: "VANTA_CLIENT_SECRET", schema: str(), description: "Vanta OAuth application client secret (read scope only)", secret: true, example: "vcs_..." }),
  vantaApiUrl: option({ env: "VANTA_API_URL", schema: url(), default: "https://api.vanta.com", description: "Vanta API host (without /v1); https://api.vanta-gov.com for US gov cloud" }),
  vantaAppUrl: option({ env: "VANTA_APP_URL", schema: url(), default: "https://app.vanta.com", description: "Vanta web app host, for links to a test in pull requests" }),
  vantaFrameworkFilter: option({ env: "VANTA_FRAMEWORK_FILTER", schema: str(), description: "Only tests of this framework (e.g. soc2, iso27001)" }),
  vantaIntegrationFilter: option({ env: "VANTA_INTEGRATION_FILTER", schema: str(), default: "aws", description: "Only tests of this integration" }),
  vantaRequestsPerMinute: option({ env: "VANTA_REQUESTS_PER_MINUTE", schema: int(1, 1000), default: "50", description: "Client-side limit on Vanta API requests a minute" }),
  vantaMaxAttempts: option({ env: "VANTA_MAX_ATTEMPTS", schema: int(1, 10), default: "5", description: "Attempts per Vanta request on 429/5xx before the poll fails" }),
  vantaFullResyncHours: option({ env: "VANTA_FULL_RESYNC_HOURS", schema: num(0, 720), default: "24", description: "Hours between full resyncs (refetch entities of every failing test); 0 = every poll" }),
  vantaRequestTimeoutSeconds: option({ env: "VANTA_REQUEST_TIMEOUT_SECONDS", schema: int(1, 600), default: "60", description: "Overall deadline of one Vanta request, connect to last byte (a server that drips bytes still times out)" }),
  vantaPollMaxPages: option({ env: "VANTA_POLL_MAX_PAGES", schema: int(1, 100000), default: "2000", description: "Pages one poll may read across all listings; when spent the poll stops with a warning and the next one starts again" }),
  vantaPollMaxSeconds: option({ env: "VANTA_POLL_MAX_SECONDS", schema: int(10, 86400), default: "900", description: "Wall-clock budget of one poll; when spent the request in flight is aborted and the poll fails with a warning" }),
  vantaEnrich: option({ env: "VANTA_ENRICH", schema: bool(), default: "false", description: "Enrich entities from the integration resources endpoint (best effort)" }),
  githubToken: option({ env: "GITHUB_TOKEN", schema: str(), description: "GitHub token (PAT); or use the GitHub App options", secret: true, example: "ghp_..." }),
  githubAppId: option({ env: "GITHUB_APP_ID", schema: str(), description: "GitHub App id" }),
  githubAppPrivateKey: option({ env: "GITHUB_APP_PRIVATE_KEY", schema: str(), description: "GitHub App private key (PEM)", secret: true }),
  githubAppInstallationId: option({ env: "GITHUB_APP_INSTALLATION_ID", schema: str(), description: "GitHub App installation id" }),
  githubApiUrl: option({ env: "GITHUB_API_URL", schema: url(), default: "https://api.github.com", description: "GitHub REST API base URL (GitHub Enterprise: https://HOST/api/v3)" }),
  githubWritePacing: option({ env: "GITHUB_WRITE_PACING", schema: bool(), default: "true", description: "Pace GitHub writes as GitHub asks (>=1 s apart, >=3 s between PR creations); turn off only against a fake server" }),
  repositories: option({ env: "TERRAFIX_REPOSITORIES", schema: list(), default: "", description: "Comma-separated owner/name or owner/name:path/inside holding the Terraform", example: "acme/infra,acme/platform:terraform" }),
  gitUrlTemplate: option({ env: "TERRAFIX_GIT_URL_TEMPLATE", schema: str(), default: "https://github.com/{owner}/{repo}.git", description: "Clone URL template with {owner} and {repo}" }),
  workDir: option({ env: "TERRAFIX_WORK_DIR", schema: str(), default: "./data/repos", description: "Folder of the clone cache (and of the persistent parse cache, in .parse-cache)" }),
  cloneCacheMaxMb: option({ env: "TERRAFIX_CLONE_CACHE_MAX_MB", schema: int(1, 1_000_000), default: "2048", description: "Size bound of the clone cache; least recently used clones are evicted" }),
  maxFileBytes: option({ env: "TERRAFIX_MAX_FILE_BYTES", schema: int(1024, 1_073_741_824), default: "4194304", description: "Largest Terraform file the index parses; a bigger one is skipped and reported (one huge file once exhausted the parser's memory)" }),
  parseCacheMaxMb: option({ env: "TERRAFIX_PARSE_CACHE_MAX_MB", schema: int(0, 1_000_000), default: "256", description: "Size bound of the persistent parse cache (TERRAFIX_WORK_DIR/.parse-cache), which keeps repeated CLI calls and restarts warm; least recently used entries are evicted; 0 turns it off" }),
  gitTimeoutSeconds: option({ env: "TERRAFIX_GIT_TIMEOUT_SECONDS", schema: int(1, 3600), default: "120", description: "Timeout of one git clone or fetch" }),
  source: option({ env: "TERRAFIX_SOURCE", schema: z.string().trim().regex(/^(vanta|file:.+)$/, "must be 'vanta' or 'file:PATH'"), default: "vanta", description: "Where failures come from: vanta or file:PATH (a Vanta-shaped JSON export)" }),
  publisher: option({ env: "TERRAFIX_PUBLISHER", schema: z.enum(["github", "local", "dry-run"]), default: "github", description: "How changes are published: github, local (branch in the checkout) or dry-run (JSON files)" }),
  dryRunDir: option({ env: "TERRAFIX_DRY_RUN_DIR", schema: str(), default: "./data/dry-run", description: "Output folder of the dry-run publisher" }),
  generator: option({ env: "TERRAFIX_GENERATOR", schema: z.enum(["auto", "rules", "llm"]), default: "auto", description: "Fix generator: rules, llm or auto (rules first, then the model)" }),
  testMappings: option({ env: "TERRAFIX_TEST_MAPPINGS", schema: list(), default: "", description: "Extra Vanta test id to control id mappings, comma-separated testId=controlId; testId= (no control) declares a custom test only the model fixes", example: "my-custom-s3-test=s3-versioning" }),
  bedrockModelId: option({ env: "BEDROCK_MODEL_ID", schema: str(), default: "global.anthropic.claude-sonnet-5-5", description: "Bedrock inference profile (or its ARN) of a model in the catalogue (README \"The model\"); us./eu./jp./au./apac. profiles keep requests in that geography" }),
  bedrockEffort: option({ env: "BEDROCK_EFFORT", schema: z.enum(["low", "medium", "high", "xhigh", "max"]), default: "medium", description: "Effort of the model (outputConfig.effort), lowered to what the model takes; medium allows between_tools thinking on Sonnet 5.5" }),
  awsRegion: option({ env: "AWS_REGION", schema: str(), default: "us-east-1", description: "AWS region of the Bedrock endpoint" }),
  bedrockEndpointUrl: option({ env: "BEDROCK_ENDPOINT_URL", schema: url(), description: "Override of the Bedrock runtime endpoint (tests point it at the fake)" }),
  bedrockMaxTokens: option({ env: "BEDROCK_MAX_TOKENS", schema: int(256, 64000), default: "4096", description: "Answer tokens per model call, in Sonnet 4.5 tokens: scaled by the model's token ratio, thinking room added on top" }),
  bedrockTimeoutSeconds: option({ env: "BEDROCK_TIMEOUT_SECONDS", schema: int(1, 900), default: "120", description: "Timeout of one model call" }),
  bedrockMaxAttempts: option({ env: "BEDROCK_MAX_ATTEMPTS", schema: int(1, 10), default: "3", description: "SDK attempts per model call (throttling, 5xx and network errors; adaptive retry mode)" }),
  llmMaxModelRetries: option({ env: "TERRAFIX_LLM_MAX_MODEL_RETRIES", schema: int(0, 10), default: "2", description: "Job-level retries of a model call after ModelTimeoutException or ServiceQuotaExceededException" }),
  llmMaxRounds: option({ env: "TERRAFIX_LLM_MAX_ROUNDS", schema: int(1, 10), default: "3", description: "Model rounds per job (a failed verification gate is fed back)" }),
  llmPromptBudgetTokens: option({ env: "TERRAFIX_LLM_PROMPT_BUDGET_TOKENS", schema: int(1000, 200000), default: "24000", description: "Context budget of one prompt; larger context is truncated" }),
  llmInputPricePerMtok: option({ env: "TERRAFIX_LLM_INPUT_PRICE_PER_MTOK", schema: num(0, 1000), description: "USD per million input tokens (default: the model catalogue's price for BEDROCK_MODEL_ID)" }),
  llmOutputPricePerMtok: option({ env: "TERRAFIX_LLM_OUTPUT_PRICE_PER_MTOK", schema: num(0, 1000), description: "USD per million output tokens (default: from the model catalogue)" }),
  llmCacheReadPricePerMtok: option({ env: "TERRAFIX_LLM_CACHE_READ_PRICE_PER_MTOK", schema: num(0, 1000), description: "USD per million input tokens read from the prompt cache (default: from the model catalogue)" }),
  llmCacheWritePricePerMtok: option({ env: "TERRAFIX_LLM_CACHE_WRITE_PRICE_PER_MTOK", schema: num(0, 1000), description: "USD per million input tokens written to the prompt cache, 5-minute TTL (default: from the model catalogue)" }),
  stateUrl: option({ env: "TERRAFIX_STATE_URL", schema: str(), default: "./data/terrafix.db", description: "State store: a SQLite file path or a postgres:// URL" }),
  concurrency: option({ env: "TERRAFIX_CONCURRENCY", schema: int(1, 256), default: "4", description: "Worker pool size" }),
  queueSize: option({ env: "TERRAFIX_QUEUE_SIZE", schema: int(1, 100000), default: "100", description: "Jobs claimed ahead of the workers (bounded queue)" }),
  pollIntervalSeconds: option({ env: "TERRAFIX_POLL_INTERVAL", schema: int(1, 86400), default: "300", description: "Seconds between polls (with jitter)" }),
  leaseSeconds: option({ env: "TERRAFIX_LEASE_SECONDS", schema: int(10, 86400), default: "900", description: "Lease of a claimed job; an expired lease lets another worker retry it" }),
  maxAttempts: option({ env: "TERRAFIX_MAX_ATTEMPTS", schema: int(1, 100), default: "5", description: "Attempts of a job failing transiently before it is marked failed" }),
  retryBaseSeconds: option({ env: "TERRAFIX_RETRY_BASE_SECONDS", schema: int(1, 86400), default: "60", description: "Base of the exponential backoff between job attempts" }),
  shutdownGraceSeconds: option({ env: "TERRAFIX_SHUTDOWN_GRACE_SECONDS", schema: int(0, 3600), default: "60", description: "On SIGTERM, how long in-flight jobs may finish before they are aborted and released" }),
  httpPort: option({ env: "TERRAFIX_HTTP_PORT", schema: int(0, 65535), default: "8080", description: "Port of /healthz, /readyz and /metrics (0 = any free port)" }),
  readyMaxPollAgeSeconds: option({ env: "TERRAFIX_READY_MAX_POLL_AGE_SECONDS", schema: int(1, 864000), default: "1800", description: "/readyz fails when the last successful poll is older than this" }),
  prLabels: option({ env: "TERRAFIX_PR_LABELS", schema: list(), default: "terrafix,compliance", description: "Labels on every pull request (created if missing)" }),
  prReviewers: option({ env: "TERRAFIX_PR_REVIEWERS", schema: list(), default: "", description: "Reviewers requested on every pull request" }),
  prTeamReviewers: option({ env: "TERRAFIX_PR_TEAM_REVIEWERS", schema: list(), default: "", description: "Team reviewers (team slugs or org/team) requested on every pull request; reviewers written org/team are teams too" }),
  rebaseWhen: option({ env: "TERRAFIX_REBASE_WHEN", schema: z.enum(["conflicted", "behind-base", "never"]), default: "conflicted", description: "When TerraFix moves its own open PR onto the new base: conflicted (it conflicts, or GitHub reports it behind a base that requires up-to-date branches), behind-base (the base moved) or never" }),
  groupByResource: option({ env: "TERRAFIX_GROUP_BY_RESOURCE", schema: bool(), default: "true", description: "Put the fixes of several failing tests on one resource into one pull request (false: one per test)" }),
  githubCommitAuthor: option({ env: "GITHUB_COMMIT_AUTHOR", schema: z.string().trim().regex(/^[^<>]+ <[^<>\s]+@[^<>\s]+>$/, "must look like 'Name <email>'"), description: "Commit author and committer with a token (PAT), as 'Name <email>'; default the token's user. Ignored for a GitHub App, whose commits GitHub signs" }),
  prAssignees: option({ env: "TERRAFIX_PR_ASSIGNEES", schema: list(), default: "", description: "Assignees of every pull request" }),
  maxPrsPerHour: option({ env: "TERRAFIX_MAX_PRS_PER_HOUR", schema: int(1, 10000), default: "5", description: "New pull requests per repository per hour; more are deferred" }),
  maxOpenPrs: option({ env: "TERRAFIX_MAX_OPEN_PRS", schema: int(1, 10000), default: "20", description: "Open TerraFix pull requests per repository; more are deferred" }),
  closeResolvedPrs: option({ env: "TERRAFIX_CLOSE_RESOLVED_PRS", schema: bool(), default: "true", description: "Close TerraFix's open PR with a comment when Vanta reports the failure resolved" }),
  dashboard: option({ env: "TERRAFIX_DASHBOARD", schema: bool(), default: "false", description: "Keep a dashboard issue per repository" }),
  terraformStateFile: option({ env: "TERRAFIX_TERRAFORM_STATE", schema: str(), description: "A Terraform state file (terraform show -json or .tfstate) to resolve generated ids" }),
  terraformBinary: option({ env: "TERRAFIX_TERRAFORM_BIN", schema: str(), default: "terraform", description: "terraform binary used for fmt when present on PATH" }),
  logLevel: option({ env: "LOG_LEVEL", schema: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]), default: "info", description: "Log level" }),
  logFormat: option({ env: "LOG_FORMAT", schema: z.enum(["json", "pretty"]), default: "json", description: "json (one object a line) or pretty" }),
} as const;

export type OptionKey = keyof typeof OPTIONS;

type Output<K extends OptionKey> = z.output<(typeof OPTIONS)[K]["schema"]>;

/** The resolved configuration: options with a default are always present. */
export type Config = {
  readonly [K in OptionKey as (typeof OPTIONS)[K] extends { default: string } ? K : never]: Output<K>;
} & {
  readonly [K in OptionKey as (typeof OPTIONS)[K] extends { default: string } ? never : K]?: Output<K>;
};

export function optionEntries(): [OptionKey, OptionSpec][] {
  return Object.entries(OPTIONS) as [OptionKey, OptionSpec][];
}

export function secretOptionKeys(): OptionKey[] {
  return optionEntries()
    .filter(([, spec]) => spec.secret === true)
    .map(([key]) => key);
}
