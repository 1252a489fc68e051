import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

/**
 * The import boundaries of ARCHITECTURE.md are enforced by eslint.config.js. These cases lint
 * real project files with an extra import line and check the rule fires (or not).
 */
const eslint = new ESLint({ cwd: process.cwd() });

/**
 * Type-aware linting needs the file on disk (the project service must find it), so each probe is
 * written into the folder under test under a unique name, linted, and removed.
 */
async function restrictedImportMessages(probePath: string, importLine: string): Promise<string[]> {
  const file = join(dirname(probePath), `__lint-probe-${randomBytes(4).toString("hex")}.ts`);
  const text = `${importLine}\nexport const probe = 1;\n`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  try {
    const [result] = await eslint.lintFiles([file]);
    const messages = result?.messages ?? [];
    const fatal = messages.find((m) => m.fatal === true);
    if (fatal !== undefined) throw new Error(`lint could not parse the probe: ${fatal.message}`);
    return messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
  } finally {
    rmSync(file, { force: true });
  }
}

describe("import boundaries", () => {
  it.each([
    ["src/domain/failure.ts", 'import { Octokit } from "@octokit/rest";', "only src/adapters/github may import @octokit/*"],
    ["src/domain/failure.ts", 'import http from "node:http";', "domain/, terraform/ and controls/ are pure"],
    ["src/terraform/parse.ts", 'import { execFile } from "node:child_process";', "are pure"],
    ["src/pipeline/probe.ts", 'import { createGitHubPublisher } from "../adapters/github/index.js";', "depend on ports/, not adapters/"],
    ["src/remediation/probe.ts", 'import Database from "better-sqlite3";', "only src/adapters/sqlite may import better-sqlite3"],
    ["src/adapters/vanta/probe.ts", 'import pg from "pg";', "only src/adapters/postgres may import pg"],
    ["src/cli/probe.ts", 'import pLimit from "p-limit";', "only src/daemon may import p-limit"],
  ])("%s: %s is reported", async (file, line, message) => {
    const messages = await restrictedImportMessages(file, line);
    expect(messages.join("\n")).toContain(message);
  });

  it.each([
    ["src/adapters/github/probe.ts", 'import { Octokit } from "@octokit/rest";'],
    ["src/adapters/sqlite/probe.ts", 'import Database from "better-sqlite3";'],
    ["src/daemon/probe.ts", 'import pLimit from "p-limit";'],
    ["src/pipeline/probe.ts", 'import type { Publisher } from "../ports/publisher.js";'],
  ])("%s: %s is allowed", async (file, line) => {
    expect(await restrictedImportMessages(file, line)).toEqual([]);
  });
});
