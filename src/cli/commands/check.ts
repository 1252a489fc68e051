import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { parseCacheFor } from "../../composition/parse-cache.js";
import type { CheckSummary } from "../../controls/run-catalogue.js";
import { runCatalogueValidated } from "../../controls/run-validated.js";
import { indexTerraform } from "../../pipeline/index.js";
import { cacheWarning, localRepoSettings } from "./config.js";
import { EXIT_JOB_FAILED, EXIT_OK, EXIT_USAGE, type CheckOptions, type CliIo } from "../context.js";

/**
 * `terrafix check --repo DIR [--json]` (CLI contract, ARCHITECTURE.md): the control catalogue over
 * a repository. Exit 1 when any control fails, 0 when clean (unknown results do not fail), 2 for
 * a bad --repo or one without Terraform files. Findings name their root module (`root`); an
 * unknown says why (`reason`).
 */
export async function checkCommand(options: CheckOptions, io: CliIo): Promise<number> {
  const repo = resolve(options.repo);
  const info = await stat(repo).catch(() => undefined);
  if (info?.isDirectory() !== true) {
    io.stderr.write(`terrafix check: --repo ${options.repo} is not a directory\n`);
    return EXIT_USAGE;
  }
  const { config, subPath } = await localRepoSettings(options, io, repo);
  // Lazy validation: hcl2json checks only the files with a finding (issue 17) — nearly every file
  // in a repository with findings, so it starts on each as soon as tree-sitter has located it.
  const cache = parseCacheFor(config, cacheWarning(io), { prevalidate: true });
  const index = await indexTerraform(repo, subPath, { cache, maxFileBytes: config.maxFileBytes });
  // A folder with no Terraform (a typo in --repo, the wrong checkout) must not look like a clean one.
  const where = subPath === undefined ? options.repo : `${options.repo} (sub-path ${subPath})`;
  if (index.files.size === 0 && index.errors.length === 0) {
    for (const s of index.skipped ?? []) io.stderr.write(`warning: skipped ${s.file}: ${s.message}\n`);
    io.stderr.write(`terrafix check: no Terraform files (.tf, .tf.json) under ${where}; nothing to check\n`);
    return EXIT_USAGE;
  }
  const { findings, summary } = await runCatalogueValidated(index);
  await cache.flush();
  if (![...index.files.keys()].some((f) => /\.tf(\.json)?$/.test(f) && !index.invalidFiles.has(f))) {
    for (const e of index.errors) io.stderr.write(`error: ${e.file}: ${e.message}\n`);
    io.stderr.write(`terrafix check: no Terraform configuration under ${where} could be read (${index.errors.length} file(s) failed to parse)\n`);
    return EXIT_USAGE;
  }
  const full: CheckSummary = { ...summary, parseErrors: index.errors.length };
  const skipped = index.skipped ?? [];
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ findings, summary: full, skipped })}\n`);
  } else {
    for (const f of findings) {
      const root = f.root === "" || f.file.startsWith(`${f.root}/`) ? "" : ` [${f.root}]`;
      io.stdout.write(`${f.result.toUpperCase().padEnd(7)} ${f.control.padEnd(26)} ${f.address}${root}  ${f.file}:${f.startLine}${f.reason === undefined ? "" : `  (${f.reason})`}\n`);
    }
    for (const e of index.errors) io.stderr.write(`warning: ${e.file}: ${e.message}\n`);
    for (const s of skipped) io.stderr.write(`warning: skipped ${s.file}: ${s.message}\n`);
    io.stdout.write(`${full.checks} checks on ${full.resources} resources: ${full.passed} passed, ${full.failed} failed, ${full.unknown} unknown\n`);
  }
  return findings.some((f) => f.result === "fail") ? EXIT_JOB_FAILED : EXIT_OK;
}
