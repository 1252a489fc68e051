import { readFile } from "node:fs/promises";
import type { Failure } from "../../domain/failure.js";
import { TerraFixError } from "../../errors.js";
import type { Logger } from "../../observability/logger.js";
import type { FailureSource, PollResult, TestSummary } from "../../ports/failure-source.js";
import { toFailure } from "../vanta/map.js";
import { describeIssues, isKnownNotFailing, itemId } from "../vanta/schema.js";
import { FailureFileSchema, FileEntitySchema, FileTestSchema } from "./schema.js";

export interface FileSourceOptions {
  logger: Logger;
}

/**
 * Failures read from a Vanta-shaped JSON file (`TERRAFIX_SOURCE=file:PATH`), so TerraFix runs
 * with no Vanta account. The file is re-read on every poll and is cheap, so every test counts as
 * refetched (a full resync each time): resolution works by removing a test or entity from the
 * file. Unlike the API, a file is operator input: any invalid item fails the poll with one
 * `config` error listing every problem with its path, instead of being skipped silently.
 */
export function createFileSource(path: string, options: FileSourceOptions): FailureSource {
  const logger = options.logger.child({ component: "file-source", path });

  async function poll(): Promise<PollResult> {
    const data = await readJson(path);
    const file = FailureFileSchema.safeParse(data);
    if (!file.success) throw invalid(path, describeIssues(file.error));
    const problems: string[] = [];
    const tests: TestSummary[] = [];
    const failures: Failure[] = [];
    const seen = new Set<string>();
    file.data.tests.forEach((rawTest, t) => {
      const where = `tests[${t}]${label(rawTest)}`;
      const test = FileTestSchema.safeParse(rawTest);
      if (!test.success) {
        problems.push(...describeIssues(test.error, where));
        return;
      }
      if (seen.has(test.data.id)) {
        problems.push(`${where}: duplicate test id`);
        return;
      }
      seen.add(test.data.id);
      if (isKnownNotFailing(test.data.status)) return;
      tests.push({ testId: test.data.id, name: test.data.name, lastTestRunDate: test.data.lastTestRunDate, refetched: true });
      test.data.entities.forEach((rawEntity, e) => {
        const entity = FileEntitySchema.safeParse(rawEntity);
        if (!entity.success) {
          problems.push(...describeIssues(entity.error, `${where}.entities[${e}]${label(rawEntity)}`));
          return;
        }
        if (entity.data.entityStatus === "DEACTIVATED") return;
        failures.push(toFailure(test.data, entity.data));
      });
    });
    if (problems.length > 0) throw invalid(path, problems);
    logger.info({ tests: tests.length, failures: failures.length }, "failure file read");
    return { tests, failures, skipped: [] };
  }

  return { name: `file:${path}`, poll };
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
    throw new TerraFixError(`cannot read failure file ${path}: ${code}`, { kind: "config", stage: "poll", cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new TerraFixError(`failure file ${path} is not valid JSON: ${(error as Error).message}`, { kind: "config", stage: "poll", cause: error });
  }
}

function label(item: unknown): string {
  const id = itemId(item);
  return id === undefined ? "" : ` (id ${JSON.stringify(id)})`;
}

function invalid(path: string, problems: string[]): TerraFixError {
  const shown = problems.slice(0, 20);
  const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : "";
  return new TerraFixError(`failure file ${path} is invalid (docs/file-source.md):\n  ${shown.join("\n  ")}${more}`, { kind: "config", stage: "poll" });
}
