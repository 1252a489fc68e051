import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { EXIT_JOB_FAILED, EXIT_OK, EXIT_USAGE, type CliIo, type MatchOptions } from "../cli/context.js";
import { ArnError, tryParseArn } from "../domain/arn.js";
import type { ResourceIdentity } from "../domain/failure.js";
import { kindsFor } from "../domain/resource-kinds.js";
import { isTerraFixError } from "../errors.js";
import { indexRepository } from "../terraform/index.js";
import { matchResourceValidated, type MatchResult } from "../terraform/match.js";
import { loadTerraformState, type TerraformState } from "../terraform/state.js";

/**
 * `terrafix match` (CLI contract in ARCHITECTURE.md): index --repo, match the identity, print
 * the candidates. Exit 0 matched, 1 ambiguous or no match, 2 bad usage.
 */
export async function matchCommand(options: MatchOptions, io: CliIo): Promise<number> {
  const usage = (message: string): number => {
    io.stderr.write(`terrafix match: ${message}\n`);
    return EXIT_USAGE;
  };
  if (options.arn !== undefined) {
    const arn = tryParseArn(options.arn);
    if (arn instanceof ArnError) return usage(arn.message);
  }
  if (options.type !== undefined && kindsFor(options.type).length === 0 && !/^aws_[a-z0-9_]+$/.test(options.type))
    return usage(`unknown --type "${options.type}" (use a CloudFormation type, a Terraform type or a Vanta responseType)`);
  const repo = resolve(options.repo);
  const info = await stat(repo).catch(() => undefined);
  if (info?.isDirectory() !== true) return usage(`--repo ${options.repo} is not a directory`);

  let state: TerraformState | undefined;
  if (options.state !== undefined) {
    try {
      state = loadTerraformState(await readFile(options.state, "utf8"));
    } catch (error) {
      const reason = isTerraFixError(error) ? error.message : `cannot read ${options.state}: ${error instanceof Error ? error.message : String(error)}`;
      return usage(reason);
    }
  }

  const identity: ResourceIdentity = {
    ...(options.arn === undefined ? {} : { arn: options.arn }),
    ...(options.type === undefined ? {} : { kind: options.type }),
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(Object.keys(options.tags).length === 0 ? {} : { tags: options.tags }),
  };
  // Lazy: tree-sitter locates every block; hcl2json validates only the files the answer uses.
  const index = await indexRepository(repo, { validation: "lazy" });
  const result = await matchResourceValidated(index, identity, state === undefined ? {} : { state });
  if (options.json) io.stdout.write(`${JSON.stringify(toJson(result))}\n`);
  else io.stdout.write(human(result, index.errors));
  return result.status === "matched" ? EXIT_OK : EXIT_JOB_FAILED;
}

function toJson(result: MatchResult): unknown {
  return {
    status: result.status,
    reason: result.reason,
    candidates: result.candidates.map((c) => ({ address: c.address, file: c.file, startLine: c.startLine, endLine: c.endLine, confidence: c.confidence, reasons: c.reasons })),
  };
}

function human(result: MatchResult, errors: readonly { file: string; message: string }[]): string {
  const lines = [`${result.status}: ${result.reason}`];
  for (const c of result.candidates) {
    lines.push(`${c.file}:${c.startLine}  ${c.address}  confidence ${c.confidence.toFixed(2)}`);
    for (const reason of c.reasons) lines.push(`    - ${reason}`);
  }
  for (const e of errors) lines.push(`warning: skipped ${e.file}: ${e.message}`);
  return `${lines.join("\n")}\n`;
}
