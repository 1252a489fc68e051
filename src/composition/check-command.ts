import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { EXIT_JOB_FAILED, EXIT_OK, EXIT_USAGE, type CheckOptions, type CliIo } from "../cli/context.js";
import { allControls } from "../controls/catalogue.js";
import { checkModuleCall } from "../controls/modules.js";
import { peersOf } from "../controls/peers.js";
import type { CheckResult, ControlContext } from "../controls/types.js";
import { indexRepository } from "../terraform/index.js";

export interface CheckFinding {
  control: string;
  checkovIds: string[];
  address: string;
  file: string;
  startLine: number;
  result: "fail" | "unknown";
}

export interface CheckSummary {
  resources: number;
  checks: number;
  passed: number;
  failed: number;
  unknown: number;
  /** Files that did not parse (their resources are not checked). */
  parseErrors: number;
}

/** Runs every control of the catalogue over a context; findings are the failing and unknown pairs. */
export function runCatalogue(ctx: ControlContext): { findings: CheckFinding[]; summary: Omit<CheckSummary, "parseErrors"> } {
  const findings: CheckFinding[] = [];
  const counts: Record<CheckResult, number> = { pass: 0, fail: 0, unknown: 0 };
  const seen = new Set<string>();
  const record = (control: string, checkovIds: readonly string[], address: string, file: string, startLine: number, result: CheckResult): void => {
    const key = `${control} ${address}`;
    // A local module used twice yields the same block under two addresses; both are real instances.
    if (seen.has(key)) return;
    seen.add(key);
    counts[result]++;
    if (result !== "pass") findings.push({ control, checkovIds: [...checkovIds], address, file, startLine, result });
  };
  const peers = peersOf(ctx);
  for (const control of allControls()) {
    // By type from the peer index: a (control, address) pair has one type, so the first record wins as in a scan.
    for (const type of new Set(control.resourceTypes)) {
      for (const resource of peers.ofType(type)) {
        if (resource.mode !== "managed") continue;
        record(control.id, control.checkovIds, resource.address, resource.file, resource.block.span.startLine, control.check(resource, ctx));
      }
    }
    for (const call of ctx.moduleCalls ?? []) {
      const result = checkModuleCall(control.id, call);
      if (result !== undefined) record(control.id, control.checkovIds, call.address, call.file, call.block.span.startLine, result);
    }
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.startLine - b.startLine || a.control.localeCompare(b.control));
  return { findings, summary: { resources: ctx.resources.length, checks: counts.pass + counts.fail + counts.unknown, passed: counts.pass, failed: counts.fail, unknown: counts.unknown } };
}

/**
 * `terrafix check --repo DIR [--json]` (CLI contract, ARCHITECTURE.md): the control catalogue over
 * a repository. Exit 1 when any control fails, 0 when clean (unknown results do not fail), 2 for
 * a bad --repo.
 */
export async function checkCommand(options: CheckOptions, io: CliIo): Promise<number> {
  const repo = resolve(options.repo);
  const info = await stat(repo).catch(() => undefined);
  if (info?.isDirectory() !== true) {
    io.stderr.write(`terrafix check: --repo ${options.repo} is not a directory\n`);
    return EXIT_USAGE;
  }
  const index = await indexRepository(repo);
  const { findings, summary } = runCatalogue(index);
  const full: CheckSummary = { ...summary, parseErrors: index.errors.length };
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ findings, summary: full })}\n`);
  } else {
    for (const f of findings) io.stdout.write(`${f.result.toUpperCase().padEnd(7)} ${f.control.padEnd(26)} ${f.address}  ${f.file}:${f.startLine}\n`);
    for (const e of index.errors) io.stderr.write(`warning: ${e.file}: ${e.message}\n`);
    io.stdout.write(`${full.checks} checks on ${full.resources} resources: ${full.passed} passed, ${full.failed} failed, ${full.unknown} unknown\n`);
  }
  return findings.some((f) => f.result === "fail") ? EXIT_JOB_FAILED : EXIT_OK;
}
