import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeGitHub, type FakeGitHub } from "../../fakes/github-server.js";
import { parseMarker } from "../../../src/domain/proposal.js";
import { diffBlock, gitNumstat, tableRows } from "../../support/pr-body.js";
import { failure, MAIN_TF, publisherFor, request, scmFor, seedRepo, VARS_TF } from "./fixtures.js";

/**
 * Two failing tests on one resource, published by the real publisher through the GitHub Scm
 * over HTTP to the fake (whose repositories are mirrored into real bare git repositories, the
 * oracle for what the branch changes).
 */
let fake: FakeGitHub;
let mainSha: string;

beforeEach(async () => {
  fake = await startFakeGitHub();
  mainSha = seedRepo(fake).headSha;
});
afterEach(async () => {
  await fake.close();
});

const VARS_AFTER = `${VARS_TF.replace("us-east-1", "eu-west-1")}variable "versioning" {\n  default = true\n}\n`;

/** A second test on the same bucket (same file and address: one resource group) that edits only variables.tf. */
function versioningRequest(): ReturnType<typeof request> {
  const req = request({ failure: failure({ testId: "s3-bucket-versioning", testName: "S3 buckets have versioning enabled" }) });
  req.change = { ...req.change, controlId: "s3-versioning", files: [{ path: "variables.tf", before: VARS_TF, after: VARS_AFTER }] };
  return req;
}

function mirror(): string {
  return fake.repo("acme", "infra").mirror!.path;
}

describe("a grouped PR's body", () => {
  it("shows every file the branch changes when the two tests change different files, with git's counts", async () => {
    const publisher = publisherFor(fake);
    const first = request();
    await publisher.publish(first);

    const outcome = await publisher.publish(versioningRequest());

    expect(outcome.type).toBe("pr-updated");
    const [pull] = fake.pulls("acme", "infra");
    expect(fake.pulls("acme", "infra")).toHaveLength(1);
    const marker = parseMarker(pull!.body)!;
    expect(marker.base).toBe(mainSha);
    const head = fake.repo("acme", "infra").refs.get(pull!.head)!;
    const changed = gitNumstat(mirror(), mainSha, head);
    expect(changed.map((f) => f.path)).toEqual(["encryption-acme-logs.tf", "main.tf", "variables.tf"]);
    expect(tableRows(pull!.body)).toEqual(changed);
    const diff = diffBlock(pull!.body);
    // The first test's files stay in the diff; the second test's edit is in it too.
    expect(diff).toContain("+++ b/main.tf\n");
    expect(diff).toContain("+# encrypted: acme-logs\n");
    expect(diff).toContain('+  sse_algorithm = "AES256"\n');
    expect(diff).toContain("+++ b/variables.tf\n");
    expect(diff).toContain('-  default = "us-east-1"\n+  default = "eu-west-1"\n');
    expect(diff).toContain('+variable "versioning" {\n');
    expect(pull!.body).toContain("### Also fixes\n- **S3 buckets have versioning enabled**");
    expect(pull!.body!.indexOf("### What changes")).toBeLessThan(pull!.body!.indexOf("### Why"));
  });

  it("shows both tests' edits of one file as one diff of it", async () => {
    const publisher = publisherFor(fake);
    await publisher.publish(request());
    const second = versioningRequest();
    second.change = { ...second.change, files: [{ path: "main.tf", before: MAIN_TF, after: `# versioned\n${MAIN_TF}` }] };

    expect((await publisher.publish(second)).type).toBe("pr-updated");

    const [pull] = fake.pulls("acme", "infra");
    const head = fake.repo("acme", "infra").refs.get(pull!.head)!;
    expect(fake.files("acme", "infra", pull!.head)["main.tf"]).toBe(`# versioned\n${MAIN_TF}# encrypted: acme-logs\n`);
    expect(tableRows(pull!.body)).toEqual(gitNumstat(mirror(), mainSha, head));
    expect(tableRows(pull!.body).find((r) => r.path === "main.tf")).toEqual({ path: "main.tf", added: 2, removed: 0 });
    const diff = diffBlock(pull!.body);
    expect(diff.match(/^\+\+\+ b\/main\.tf$/gm)).toHaveLength(1);
    expect(diff).toContain("+# versioned\n");
    expect(diff).toContain("+# encrypted: acme-logs\n");
  });
});

describe("the GitHub Scm", () => {
  it("reads a file at a commit as at a branch, and lists the paths two commits differ in", async () => {
    const scm = scmFor(fake);
    const repo = { owner: "acme", name: "infra" };
    const req = request();
    await publisherFor(fake).publish(req);
    const head = fake.repo("acme", "infra").refs.get(req.branch)!;

    expect(await scm.readFile(repo, { commit: mainSha }, "main.tf")).toBe(MAIN_TF);
    expect(await scm.readFile(repo, { commit: head }, "main.tf")).toBe(req.change.files[0]!.after);
    expect(await scm.readFile(repo, { branch: req.branch }, "main.tf")).toBe(req.change.files[0]!.after);
    expect(await scm.readFile(repo, { commit: mainSha }, "encryption-acme-logs.tf")).toBeUndefined();
    expect(await scm.readFile(repo, { commit: "f".repeat(40) }, "main.tf")).toBeUndefined();
    expect((await scm.changedPaths(repo, mainSha, head)).sort()).toEqual(["encryption-acme-logs.tf", "main.tf"]);
    expect(await scm.changedPaths(repo, mainSha, mainSha)).toEqual([]);
  });
});
