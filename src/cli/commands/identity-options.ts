import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { IdentityOptions } from "../context.js";
import { ArnError, tryParseArn } from "../../domain/arn.js";
import type { ResourceIdentity } from "../../domain/failure.js";
import { kindsFor } from "../../domain/resource-kinds.js";
import { isTerraFixError } from "../../errors.js";
import { loadTerraformState, type TerraformState } from "../../terraform/state.js";

export interface PreparedIdentity {
  repo: string;
  identity: ResourceIdentity;
  state?: TerraformState;
}

/**
 * Validates the identity flags shared by `match` and `fix` (--repo, --arn, --name/--type,
 * --tag, --state). Returns the problem as a one-line message for exit code 2.
 */
export async function prepareIdentity(options: IdentityOptions): Promise<PreparedIdentity | { error: string }> {
  if (options.arn !== undefined) {
    const arn = tryParseArn(options.arn);
    if (arn instanceof ArnError) return { error: arn.message };
  }
  if (options.type !== undefined && kindsFor(options.type).length === 0 && !/^aws_[a-z0-9_]+$/.test(options.type))
    return { error: `unknown --type "${options.type}" (use a CloudFormation type, a Terraform type or a Vanta responseType)` };
  const repo = resolve(options.repo);
  const info = await stat(repo).catch(() => undefined);
  if (info?.isDirectory() !== true) return { error: `--repo ${options.repo} is not a directory` };

  let state: TerraformState | undefined;
  if (options.state !== undefined) {
    try {
      state = loadTerraformState(await readFile(options.state, "utf8"));
    } catch (error) {
      return { error: isTerraFixError(error) ? error.message : `cannot read ${options.state}: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  const identity: ResourceIdentity = {
    ...(options.arn === undefined ? {} : { arn: options.arn }),
    ...(options.type === undefined ? {} : { kind: options.type }),
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(Object.keys(options.tags).length === 0 ? {} : { tags: options.tags }),
  };
  return { repo, identity, ...(state === undefined ? {} : { state }) };
}
