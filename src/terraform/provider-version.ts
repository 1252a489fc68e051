import { isRecord, type ParsedFile } from "./parse.js";

/**
 * The AWS provider's major version: the lock file's selected version wins (it is what runs),
 * else the lowest major allowed by a `required_providers` constraint.
 * https://developer.hashicorp.com/terraform/language/files/dependency-lock
 */
export function providerMajor(files: readonly ParsedFile[]): number | undefined {
  for (const file of files) {
    if (!file.path.endsWith(".terraform.lock.hcl")) continue;
    const providers = file.json?.provider;
    if (!isRecord(providers)) continue;
    for (const [source, entries] of Object.entries(providers)) {
      if (!/(^|\/)hashicorp\/aws$/.test(source)) continue;
      const first: unknown = Array.isArray(entries) ? entries[0] : entries;
      const version = isRecord(first) ? first.version : undefined;
      const major = typeof version === "string" ? /^(\d+)\./.exec(version)?.[1] : undefined;
      if (major !== undefined) return Number(major);
    }
  }
  for (const file of files) {
    const terraform = file.json?.terraform;
    for (const t of Array.isArray(terraform) ? terraform : []) {
      if (!isRecord(t)) continue;
      const required: unknown = t.required_providers;
      for (const rp of Array.isArray(required) ? required : [required]) {
        if (!isRecord(rp)) continue;
        const aws = rp.aws;
        const constraint = typeof aws === "string" ? aws : isRecord(aws) && typeof aws.version === "string" ? aws.version : undefined;
        const major = constraint === undefined ? undefined : constraintMajor(constraint);
        if (major !== undefined) return major;
      }
    }
  }
  return undefined;
}

/** `~> 5.0` -> 5, `>= 4.0, < 6.0` -> 4, `= 3.76.1` -> 3. */
export function constraintMajor(constraint: string): number | undefined {
  for (const part of constraint.split(",")) {
    const m = /^\s*(~>|>=|=|>)?\s*v?(\d+)/.exec(part);
    if (m !== null && m[1] !== undefined && !part.includes("<")) return Number(m[2]);
    if (m !== null && m[1] === undefined) return Number(m[2]);
  }
  return undefined;
}
