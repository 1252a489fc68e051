import { afterEach, describe, expect, it } from "vitest";
import type { Failure } from "../../src/domain/failure.js";
import { acquireCheckouts } from "../../src/pipeline/workspace.js";
import { MemoryWorkspace } from "../support/memory-workspace.js";
import { BUCKET_TF, terraformRepo } from "../support/terraform-repo.js";

const FAILURE: Failure = { testId: "aws-s3-public-access-blocked", testName: "S3 public access", entityId: "e1", displayName: "acme-logs", responseType: "S3 bucket", account: "123456789012" };
const A = { owner: "acme", name: "infra" };
const B = { owner: "acme", name: "platform" };

const repos: { remove(): void }[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.remove();
});
function repo(files: Record<string, string>): string {
  const r = terraformRepo(files);
  repos.push(r);
  return r.dir;
}

describe("acquireCheckouts (workspace stage)", () => {
  it("holds a checkout of every repository with its .terrafix.yml until release()", async () => {
    const workspace = new MemoryWorkspace({ "acme/infra": repo({ "main.tf": BUCKET_TF, ".terrafix.yml": "labels: [compliance]\n" }), "acme/platform": repo({ "main.tf": BUCKET_TF }) });
    const out = await acquireCheckouts({ failure: FAILURE }, { workspace, repositories: [A, B] }, new AbortController().signal);
    expect(out.status).toBe("ready");
    expect(out.status === "ready" && out.checkouts.map((c) => [c.checkout.repo.name, c.config.labels])).toEqual([["infra", ["compliance"]], ["platform", []]]);
    expect(workspace.held).toBe(2);
    out.release();
    expect(workspace.released).toEqual(["acme/infra", "acme/platform"]);
    out.release();
    expect(workspace.released).toHaveLength(2);
  });

  it("is a configuration failure (not finished work) when no repository is configured", async () => {
    const out = await acquireCheckouts({ failure: FAILURE }, { workspace: new MemoryWorkspace({}), repositories: [] }, new AbortController().signal);
    expect(out).toMatchObject({ status: "skip", outcome: { type: "failed", kind: "config", retryable: false } });
  });

  it.each([
    ["ignores the test", "ignoreTests: [aws-s3-public-access-blocked]\n"],
    ["lists only other accounts", 'accounts: ["210987654321"]\n'],
  ])("leaves out a repository whose .terrafix.yml %s, and answers ignored when none is left", async (_title, yml) => {
    const workspace = new MemoryWorkspace({ "acme/infra": repo({ "main.tf": BUCKET_TF, ".terrafix.yml": yml }), "acme/platform": repo({ "main.tf": BUCKET_TF }) });
    const both = await acquireCheckouts({ failure: FAILURE }, { workspace, repositories: [A, B] }, new AbortController().signal);
    expect(both.status === "ready" && both.checkouts.map((c) => c.checkout.repo.name)).toEqual(["platform"]);
    both.release();
    const alone = await acquireCheckouts({ failure: FAILURE }, { workspace, repositories: [A] }, new AbortController().signal);
    expect(alone).toMatchObject({ status: "skip", outcome: { type: "ignored" } });
    alone.release();
    expect(workspace.held).toBe(0);
  });

  it("releases what it acquired and rethrows when a later checkout fails", async () => {
    const workspace = new MemoryWorkspace({ "acme/infra": repo({ "main.tf": BUCKET_TF }) });
    workspace.failFor = { slug: "acme/platform", error: new Error("git fetch failed") };
    await expect(acquireCheckouts({ failure: FAILURE }, { workspace, repositories: [A, B] }, new AbortController().signal)).rejects.toThrow("git fetch failed");
    expect(workspace.released).toEqual(["acme/infra"]);
  });

  it("honours the abort signal: nothing is acquired after it, and nothing stays held", async () => {
    const workspace = new MemoryWorkspace({ "acme/infra": repo({ "main.tf": BUCKET_TF }) });
    const controller = new AbortController();
    controller.abort(new Error("shutdown"));
    await expect(acquireCheckouts({ failure: FAILURE }, { workspace, repositories: [A] }, controller.signal)).rejects.toThrow("shutdown");
    expect(workspace.acquired).toEqual([]);
  });

  it("rejects a .terrafix.yml with an error and holds nothing", async () => {
    const workspace = new MemoryWorkspace({ "acme/infra": repo({ "main.tf": BUCKET_TF, ".terrafix.yml": "accounts: [nope]\n" }) });
    await expect(acquireCheckouts({ failure: FAILURE }, { workspace, repositories: [A] }, new AbortController().signal)).rejects.toThrow(/12-digit/);
    expect(workspace.held).toBe(0);
  });
});
