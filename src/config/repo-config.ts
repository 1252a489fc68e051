import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { TerraFixError } from "../errors.js";

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

export function parseRepoConfig(text: string, source = REPO_CONFIG_FILE): RepoConfig {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new TerraFixError(`${source} is not valid YAML: ${(error as Error).message}`, { kind: "config", stage: "workspace" });
  }
  const parsed = RepoConfigSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new TerraFixError(`${source} is invalid: ${problems}`, { kind: "config", stage: "workspace" });
  }
  return parsed.data;
}

/** Reads `.terrafix.yml` from a checkout; the defaults when it does not exist. */
export async function loadRepoConfig(dir: string): Promise<RepoConfig> {
  let text: string;
  try {
    text = await readFile(join(dir, REPO_CONFIG_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return RepoConfigSchema.parse({});
    throw error;
  }
  return parseRepoConfig(text);
}

/** True when an address or name matches one of the ignore patterns (`*` matches any run of characters). */
export function isIgnored(patterns: readonly string[], ...values: string[]): boolean {
  return patterns.some((pattern) => {
    const regex = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    return values.some((v) => regex.test(v));
  });
}
