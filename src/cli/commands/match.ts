import { parseCacheFor } from "../../composition/parse-cache.js";
import { indexTerraform } from "../../pipeline/index.js";
import { matchRepository } from "../../pipeline/match.js";
import type { MatchResult } from "../../terraform/match.js";
import { EXIT_JOB_FAILED, EXIT_OK, EXIT_USAGE, type CliIo, type MatchOptions } from "../context.js";
import { cacheWarning, localRepoSettings } from "./config.js";
import { prepareIdentity } from "./identity-options.js";

/**
 * `terrafix match` (CLI contract in ARCHITECTURE.md): index --repo, match the identity, print
 * the candidates. Exit 0 matched, 1 ambiguous or no match, 2 bad usage.
 */
export async function matchCommand(options: MatchOptions, io: CliIo): Promise<number> {
  const prepared = await prepareIdentity(options);
  if ("error" in prepared) {
    io.stderr.write(`terrafix match: ${prepared.error}\n`);
    return EXIT_USAGE;
  }
  const { repo, identity, state } = prepared;
  const { config, subPath } = await localRepoSettings(options, io, repo);
  const cache = parseCacheFor(config, cacheWarning(io));
  const index = await indexTerraform(repo, subPath, { cache, maxFileBytes: config.maxFileBytes });
  const result = await matchRepository(index, identity, state === undefined ? {} : { state });
  await cache.flush();
  if (options.json) io.stdout.write(`${JSON.stringify({ ...matchJson(result), skipped: index.skipped ?? [] })}\n`);
  else io.stdout.write(human(result, [...index.errors, ...(index.skipped ?? [])]));
  return result.status === "matched" ? EXIT_OK : EXIT_JOB_FAILED;
}

export interface MatchJson {
  status: MatchResult["status"];
  reason: string;
  candidates: { address: string; root?: string; file: string; startLine: number; endLine: number; confidence: number; reasons: string[] }[];
}

/** The `match --json` shape of the CLI contract (also the `match` field of `fix --json`). */
export function matchJson(result: MatchResult): MatchJson {
  return {
    status: result.status,
    reason: result.reason,
    candidates: result.candidates.map((c) => ({ address: c.address, ...(c.root === undefined ? {} : { root: c.root }), file: c.file, startLine: c.startLine, endLine: c.endLine, confidence: c.confidence, reasons: c.reasons })),
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
