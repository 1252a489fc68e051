import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { ConfigError, type ConfigIssue } from "./errors.js";
import { describeYamlError } from "./yaml-errors.js";
import { OPTIONS, optionEntries, type Config, type OptionKey } from "./options.js";

// In its own module so the CLI can recognise it without loading the option schemas (zod).
export { ConfigError, type ConfigIssue } from "./errors.js";

export interface LoadConfigInput {
  env?: NodeJS.ProcessEnv;
  /** YAML file path; defaults to env TERRAFIX_CONFIG. */
  file?: string;
  /** Explicit values that win over env and file (CLI flags). */
  overrides?: Partial<Record<OptionKey, unknown>>;
}

const ENV_TO_KEY = new Map(optionEntries().map(([key, spec]) => [spec.env, key]));

/**
 * Precedence: defaults < YAML file < environment < overrides. An empty environment variable
 * counts as unset, so `FOO=` in a .env file does not fail validation of an optional option.
 */
export function loadConfig(input: LoadConfigInput = {}): Config {
  const env = input.env ?? process.env;
  const issues: ConfigIssue[] = [];
  const raw = new Map<OptionKey, unknown>();

  const file = input.file ?? nonEmpty(env["TERRAFIX_CONFIG"]);
  if (file !== undefined) {
    for (const [key, value] of Object.entries(readYaml(file, issues))) {
      const option = (key in OPTIONS ? key : ENV_TO_KEY.get(key)) as OptionKey | undefined;
      if (option === undefined) {
        issues.push({ option: key, env: file, message: `unknown option in ${file}` });
        continue;
      }
      if (value !== null && value !== undefined) raw.set(option, value);
    }
  }
  for (const [key, spec] of optionEntries()) {
    const value = nonEmpty(env[spec.env]);
    if (value !== undefined) raw.set(key, value);
  }
  for (const [key, value] of Object.entries(input.overrides ?? {})) {
    if (value !== undefined) raw.set(key as OptionKey, value);
  }

  const config: Record<string, unknown> = {};
  for (const [key, spec] of optionEntries()) {
    const value = raw.has(key) ? raw.get(key) : spec.default;
    if (value === undefined) continue;
    const parsed = spec.schema.safeParse(value);
    if (parsed.success) config[key] = parsed.data;
    else
      issues.push({
        option: key,
        env: spec.env,
        message: parsed.error.issues.map((i) => i.message).join("; "),
      });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return config as Config;
}

function readYaml(file: string, issues: ConfigIssue[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    issues.push({ option: "config", env: "TERRAFIX_CONFIG", message: `cannot read ${file}: ${(error as Error).message}` });
    return {};
  }
  try {
    const value: unknown = parseYaml(text);
    if (value === null || value === undefined) return {};
    if (typeof value !== "object" || Array.isArray(value)) {
      issues.push({ option: "config", env: "TERRAFIX_CONFIG", message: `${file} must hold a mapping of option names to values` });
      return {};
    }
    return value as Record<string, unknown>;
  } catch (error) {
    // Never the parser's message: it quotes the line, which may hold a token.
    issues.push({ option: "config", env: "TERRAFIX_CONFIG", message: `${file} is not valid YAML: ${describeYamlError(error)}` });
    return {};
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

export type Purpose = "poll-vanta" | "publish-github" | "work-jobs" | "llm";

/**
 * Checks the options a purpose needs beyond the schema (which cannot know that, say, the
 * GitHub publisher needs a token), again reporting every missing option at once.
 */
export function requireFor(config: Config, purposes: Purpose[]): void {
  const issues: ConfigIssue[] = [];
  const need = (key: OptionKey, why: string): void => {
    if (config[key] === undefined) issues.push({ option: key, env: OPTIONS[key].env, message: `required ${why}` });
  };
  for (const purpose of purposes) {
    switch (purpose) {
      case "poll-vanta":
        need("vantaClientId", "when TERRAFIX_SOURCE=vanta");
        need("vantaClientSecret", "when TERRAFIX_SOURCE=vanta");
        break;
      case "publish-github": {
        const app = config.githubAppId !== undefined || config.githubAppPrivateKey !== undefined || config.githubAppInstallationId !== undefined;
        if (app) {
          need("githubAppId", "with the other GitHub App options");
          need("githubAppPrivateKey", "with the other GitHub App options");
          need("githubAppInstallationId", "with the other GitHub App options");
        } else {
          need("githubToken", "when TERRAFIX_PUBLISHER=github (or set the GitHub App options)");
        }
        break;
      }
      case "work-jobs":
        // Without a repository every job would end unmatched; stop before the poll records them.
        if (config.repositories.length === 0)
          issues.push({ option: "repositories", env: "TERRAFIX_REPOSITORIES", message: "at least one repository is required: the repositories whose Terraform defines the failing resources (owner/name, comma-separated)" });
        break;
      case "llm":
        break;
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
}

/** The values of every secret option, for the log scrubber. */
export function secretValues(config: Config): string[] {
  return optionEntries()
    .filter(([, spec]) => spec.secret === true)
    .map(([key]) => (config as Record<string, unknown>)[key])
    .filter((v): v is string => typeof v === "string");
}
