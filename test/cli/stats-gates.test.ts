import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStateStore } from "../../src/adapters/state/open-state-store.js";
import type { Outcome } from "../../src/domain/outcome.js";
import { silentLogger } from "../../src/observability/logger.js";
import { failures, RETRY, at } from "../adapters/state/harness.js";
import { runTerrafix } from "../support/cli.js";

const NO_TERRAFORM = "no terraform binary to run terraform fmt";

/** A SQLite store with three finished jobs whose outcomes carry their verification gates. */
async function storeWithGates(): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), "terrafix-cli-")), "state.db");
  const store = await openStateStore(path, { retry: RETRY, logger: silentLogger() });
  await store.upsertFailures(failures(3), at(0));
  const outcomes: Outcome[] = [
    { type: "pr-opened", url: "https://x/1", gates: [{ name: "parse", status: "pass", detail: "1 file(s) re-parse" }, { name: "fmt", status: "skipped", detail: NO_TERRAFORM }] },
    { type: "pr-opened", url: "https://x/2", gates: [{ name: "parse", status: "pass", detail: "1 file(s) re-parse" }, { name: "fmt", status: "skipped", detail: NO_TERRAFORM }] },
    { type: "failed", kind: "verification", message: "fmt", retryable: false, gates: [{ name: "parse", status: "pass", detail: "1 file(s) re-parse" }, { name: "fmt", status: "fail", detail: "main.tf is not fmt-clean" }] },
  ];
  for (const [i, job] of (await store.claim("w", 3, 60_000, at(1))).entries()) await store.finish(job.key, "w", outcomes[i] ?? outcomes[0]!, { verify: 10 + i }, at(2));
  await store.close();
  return path;
}

describe("stats shows the verification gates", () => {
  it("as pass / fail / skipped with the reasons, in text and JSON (a skipped gate is never a pass)", async () => {
    const path = await storeWithGates();
    const env = { TERRAFIX_STATE_URL: path, LOG_LEVEL: "silent" };

    const text = await runTerrafix(["stats"], env);
    expect(text.code).toBe(0);
    const lines = text.out.split("\n");
    const section = lines.slice(lines.findIndex((l) => l.startsWith("verification gates")));
    expect(section[1]).toMatch(/^ {2}parse +pass +3 +fail +0 +skipped +0$/);
    expect(section[2]).toMatch(/^ {2}fmt +pass +0 +fail +1 +skipped +2$/);
    expect(section[3]).toBe(`      skipped x2: ${NO_TERRAFORM}`);
    expect(section[4]).toBe("      fail x1: main.tf is not fmt-clean");

    const json = JSON.parse((await runTerrafix(["stats", "--json"], env)).out) as { gates: unknown };
    expect(json.gates).toEqual([
      { name: "parse", pass: 3, fail: 0, skipped: 0, reasons: [] },
      { name: "fmt", pass: 0, fail: 1, skipped: 2, reasons: [{ status: "skipped", detail: NO_TERRAFORM, count: 2 }, { status: "fail", detail: "main.tf is not fmt-clean", count: 1 }] },
    ]);
  });
});
