import { lstat, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { TerraFixError } from "../errors.js";
import { realInside } from "../terraform/contained-path.js";
import { describeYamlError, lineOfPath } from "./yaml-errors.js";

/**
 * `.terrafix.yml` at the root of a Terraform repository: lets its owners narrow where TerraFix
 * looks, add labels and reviewers, and opt tests or resources out.
 */
export const RepoConfigSchema = z
  .object({
    /** Folders (relative to the repository root) that hold the Terraform; default: the whole repository. */
    paths: z.array(z.string().min(1)).default([]),
    labels: z.array(z.string().min(1)).default([]),
    reviewers: z.array(z.string().min(1)).default([]),
    /** Vanta test ids or TerraFix control ids to leave alone. */
    ignoreTests: z.array(z.string().min(1)).default([]),
    /** Terraform addresses (or globs with `*`) or resource names to leave alone. */
    ignoreResources: z.array(z.string().min(1)).default([]),
    /** AWS account ids whose failures this repository holds; empty = any account. */
    accounts: z.array(z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id")).default([]),
  })
  .strict();

export type RepoConfig = z.output<typeof RepoConfigSchema>;

export const REPO_CONFIG_FILE = ".terrafix.yml";

/** Larger than any real `.terrafix.yml`; a bigger file is not a configuration (or is an attack). */
export const REPO_CONFIG_MAX_BYTES = 64 * 1024;

const FIELDS = Object.keys(RepoConfigSchema.shape);

/**
 * Errors name the field and the line, never the content: the file is the repository's, and may
 * be a symlink to a file holding secrets. zod's messages used here quote no values; an unknown
 * key is not named either (a key is content too).
 */
export function parseRepoConfig(text: string, source = REPO_CONFIG_FILE): RepoConfig {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new TerraFixError(`${source} is not valid YAML: ${describeYamlError(error)}`, { kind: "config", stage: "workspace" });
  }
  const parsed = RepoConfigSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => issueText(text, i)).join("; ");
    throw new TerraFixError(`${source} is invalid: ${problems}`, { kind: "config", stage: "workspace" });
  }
  return parsed.data;
}

function issueText(text: string, issue: z.ZodIssue): string {
  const line = lineOfPath(text, issue.path);
  const at = line === undefined ? "" : ` (line ${line})`;
  if (issue.code === "unrecognized_keys") return `${issue.path.join(".") || "(root)"}: unknown field${at}; the fields are ${FIELDS.join(", ")}`;
  if (issue.code === "invalid_type" && issue.path.length === 0) return `(root): must be a mapping of fields${at}`;
  return `${issue.path.join(".")}: ${issue.message}${at}`;
}

/**
 * Reads `.terrafix.yml` from a checkout; the defaults when it does not exist. It must be a
 * regular file under REPO_CONFIG_MAX_BYTES whose realpath is inside the checkout: a symlink to
 * another file of the checkout is read like that file (the repository's owners put it there);
 * a symlink leaving the checkout is refused without reading it.
 */
export async function loadRepoConfig(dir: string): Promise<RepoConfig> {
  const path = join(dir, REPO_CONFIG_FILE);
  const info = await lstat(path).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  });
  if (info === undefined) return RepoConfigSchema.parse({});
  const refuse = (why: string): TerraFixError => new TerraFixError(`${REPO_CONFIG_FILE} ${why}; it was not read`, { kind: "config", stage: "workspace" });
  if (info.isSymbolicLink() && !(await realInside(dir, REPO_CONFIG_FILE).catch(() => false))) throw refuse("is a symlink that leaves the repository");
  const target = await stat(path).catch(() => undefined);
  if (target === undefined) throw refuse("is a symlink to nothing");
  if (!target.isFile()) throw refuse("is not a regular file");
  if (target.size > REPO_CONFIG_MAX_BYTES) throw refuse(`is larger than ${REPO_CONFIG_MAX_BYTES} bytes`);
  return parseRepoConfig(await readFile(path, "utf8"));
}

/** True when an address or name matches one of the ignore patterns (`*` matches any run of characters). */
export function isIgnored(patterns: readonly string[], ...values: string[]): boolean {
  return patterns.some((pattern) => {
    const regex = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    return values.some((v) => regex.test(v));
  });
}
