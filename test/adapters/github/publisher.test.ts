import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeGitHub, type FakeGitHub } from "../../fakes/github-server.js";
import { hasKeyTrailer, DIFF_TRUNCATED_MARKER, PR_BODY_LIMIT } from "../../../src/domain/pull-request.js";
import { changeFingerprint, parseMarker } from "../../../src/domain/proposal.js";
import { TerraFixError } from "../../../src/errors.js";
import { failure, MAIN_TF, publisherFor, request, seedRepo, VARS_TF } from "./fixtures.js";

let fake: FakeGitHub;
let mainSha: string;

beforeEach(async () => {
  fake = await startFakeGitHub();
  mainSha = seedRepo(fake).headSha;
});
afterEach(async () => {
  await fake.close();
});

function postsTo(path: RegExp): number {
  return fake.state.requests.filter((r) => r.method === "POST" && path.test(r.path)).length;
}

describe("GitHub publisher", () => {
  it("opens one PR whose branch holds a two-file change in one commit on the default branch", async () => {
    const publisher = publisherFor(fake, { reviewers: ["alice"], assignees: ["bob"] });
    const req = request();

    const outcome = await publisher.publish(req);

    expect(outcome).toEqual({ type: "pr-opened", url: expect.stringMatching(/\/acme\/infra\/pull\/1$/) });
    const [pull] = fake.pulls("acme", "infra");
    expect(pull).toMatchObject({ title: "fix(aws_s3_bucket.acme_logs): S3 buckets are encrypted at rest", head: req.branch, base: "main", state: "open" });
    expect(pull!.labels).toEqual(["terrafix", "compliance"]);
    expect(pull!.requestedReviewers).toEqual(["alice"]);
    expect(pull!.assignees).toEqual(["bob"]);
    expect(fake.repo("acme", "infra").labels.get("terrafix")).toMatchObject({ color: "5319e7", description: expect.stringContaining("TerraFix") });
    const tip = fake.repo("acme", "infra").refs.get(req.branch)!;
    const commit = fake.state.store.commit(tip);
    expect(commit.parents).toEqual([mainSha]);
    expect(commit.author.name).toBe("terrafix-bot");
    expect(hasKeyTrailer(commit.message, req.key)).toBe(true);
    expect(fake.files("acme", "infra", req.branch)).toEqual({
      "main.tf": req.change.files[0]!.after,
      "encryption-acme-logs.tf": req.change.files[1]!.after,
      "variables.tf": VARS_TF,
      "modules/README.md": "docs\n",
    });
    expect(fake.files("acme", "infra")["main.tf"]).toBe(MAIN_TF);
    expect(parseMarker(pull!.body)).toMatchObject({ key: req.key, fingerprint: changeFingerprint(req.change), version: 2, generation: 1 });
    expect(pull!.body).toContain(`Fixes: test-${req.failure.testId}`);
  });

  it("adds the repository's own labels and reviewers (.terrafix.yml) to the configured ones", async () => {
    const publisher = publisherFor(fake, { reviewers: ["alice"] });
    fake.addTeam("acme", "infra", "platform-team");
    await publisher.publish({ ...request(), labels: ["security", "terrafix"], reviewers: ["acme/platform-team", "mallory", "bob"] });
    const [pull] = fake.pulls("acme", "infra");
    expect(pull!.labels).toEqual(["terrafix", "compliance", "security"]);
    // org/team goes to team_reviewers; a non-collaborator (422 on GitHub) never drops the others.
    expect(pull!.requestedReviewers).toEqual(["alice", "bob"]);
    expect(pull!.requestedTeams).toEqual(["platform-team"]);
  });

  it("opens no second PR on a rerun with an empty database (a new publisher)", async () => {
    const first = await publisherFor(fake).publish(request());
    const second = await publisherFor(fake).publish(request());

    expect(first.type).toBe("pr-opened");
    expect(second).toEqual({ type: "pr-exists", url: (first as { url: string }).url });
    expect(fake.pulls("acme", "infra")).toHaveLength(1);
    expect(postsTo(/\/pulls$/)).toBe(1);
  });

  it("updates its own open PR when the proposed change differs", async () => {
    const publisher = publisherFor(fake);
    await publisher.publish(request());
    const changed = request({ variant: "aws:kms" });

    const outcome = await publisher.publish(changed);

    expect(outcome.type).toBe("pr-updated");
    expect(fake.pulls("acme", "infra")).toHaveLength(1);
    expect(fake.files("acme", "infra", changed.branch)["encryption-acme-logs.tf"]).toContain("aws:kms");
    expect(parseMarker(fake.pulls("acme", "infra")[0]!.body)?.fingerprint).toBe(changeFingerprint(changed.change));
    const tip = fake.state.store.commit(fake.repo("acme", "infra").refs.get(changed.branch)!);
    expect(tip.parents).toEqual([mainSha]);
  });

  it("does not reopen a PR a human closed, unless the proposed change differs", async () => {
    const publisher = publisherFor(fake);
    const opened = await publisher.publish(request());
    fake.closePr("acme", "infra", 1);

    const again = await publisherFor(fake).publish(request());

    expect(again).toEqual({ type: "declined", url: (opened as { url: string }).url, reason: expect.stringContaining("closed") });
    expect(fake.pulls("acme", "infra")).toHaveLength(1);
    expect(fake.pulls("acme", "infra")[0]!.state).toBe("closed");

    const changed = await publisherFor(fake).publish(request({ variant: "aws:kms" }));
    expect(changed.type).toBe("pr-opened");
    expect(fake.pulls("acme", "infra").map((p) => p.state)).toEqual(["closed", "open"]);
  });

  it("treats a merged PR as done", async () => {
    await publisherFor(fake).publish(request());
    fake.mergePr("acme", "infra", 1);

    const outcome = await publisherFor(fake).publish(request({ variant: "aws:kms" }));

    expect(outcome.type).toBe("merged");
    expect(fake.files("acme", "infra")["encryption-acme-logs.tf"]).toContain("AES256");
    expect(fake.pulls("acme", "infra")).toHaveLength(1);
  });

  it("never overwrites a human commit on the branch and comments only once", async () => {
    const req = request();
    await publisherFor(fake).publish(req);
    const human = fake.pushHumanCommit("acme", "infra", req.branch, { "main.tf": "# hand-tuned\n" });

    const first = await publisherFor(fake).publish(request({ variant: "aws:kms" }));
    const second = await publisherFor(fake).publish(request({ variant: "aws:kms" }));

    expect(first.type).toBe("pr-exists");
    expect(second.type).toBe("pr-exists");
    expect(fake.repo("acme", "infra").refs.get(req.branch)).toBe(human);
    const comments = fake.repo("acme", "infra").comments;
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("did not make");
  });

  it("ends with exactly one PR when creation hits a secondary rate limit", async () => {
    fake.setFault({ method: "POST", path: /\/pulls$/, type: "secondary", retryAfter: 1 });

    const outcome = await publisherFor(fake).publish(request());

    expect(outcome.type).toBe("pr-opened");
    expect(fake.pulls("acme", "infra")).toHaveLength(1);
    expect(fake.state.requests.filter((r) => r.method === "POST" && r.path.endsWith("/pulls")).map((r) => r.status)).toEqual([403, 201]);
  });

  it("answers pr-exists when the PR was created but the answer was lost (a retried POST)", async () => {
    fake.setFault({ method: "POST", path: /\/pulls$/, type: "status", status: 502, afterHandler: true });

    const outcome = await publisherFor(fake).publish(request());

    expect(outcome.type).toBe("pr-exists");
    expect(fake.pulls("acme", "infra")).toHaveLength(1);
    expect(fake.state.requests.filter((r) => r.method === "POST" && r.path.endsWith("/pulls")).map((r) => r.status)).toEqual([502, 422]);
  });

  it("treats an existing branch of its own (a crash before the PR) as its own and opens the PR", async () => {
    fake.setFault({ method: "POST", path: /\/git\/refs$/, type: "status", status: 502, afterHandler: true });

    const outcome = await publisherFor(fake).publish(request());

    expect(outcome.type).toBe("pr-opened");
    expect(fake.pulls("acme", "infra")).toHaveLength(1);
  });

  it("keeps the body under GitHub's limit by truncating the diff", async () => {
    const req = request();
    const huge = Array.from({ length: 6000 }, (_, i) => `# line ${i} ${"x".repeat(20)}`).join("\n");
    req.change.files[0]!.after = `${MAIN_TF}${huge}\n`;

    const outcome = await publisherFor(fake).publish(req);

    expect(outcome.type).toBe("pr-opened");
    const body = fake.pulls("acme", "infra")[0]!.body!;
    expect(body.length).toBeLessThanOrEqual(PR_BODY_LIMIT);
    expect(body).toContain(DIFF_TRUNCATED_MARKER);
    expect(body).toContain("### Rollback");
  });

  it("retries a transient 5xx and reports a persistent one as transient", async () => {
    fake.setFault({ method: "GET", path: "/repos/acme/infra", type: "status", status: 502 });
    expect((await publisherFor(fake).publish(request())).type).toBe("pr-opened");

    fake.setFault({ method: "GET", path: /\/pulls$/, type: "status", status: 500, times: 10 });
    const error = await publisherFor(fake, { scm: { retry: { baseMs: 1, retries: 2 } } }).publish(request({ variant: "x" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TerraFixError);
    expect(error).toMatchObject({ kind: "transient", status: 500, stage: "publish" });
  });

  it("reports a missing repository as permanent and bad credentials as config", async () => {
    const missing = await publisherFor(fake).publish(request({ name: "gone" })).catch((e: unknown) => e);
    expect(missing).toMatchObject({ kind: "permanent", status: 404 });

    const strict = await startFakeGitHub({ tokens: ["ghp_right_token"] });
    try {
      seedRepo(strict);
      const denied = await publisherFor(strict).publish(request()).catch((e: unknown) => e);
      expect(denied).toMatchObject({ kind: "config", status: 401 });
      expect((denied as Error).message).not.toContain("ghp_faketoken123");
    } finally {
      await strict.close();
    }
  });

  it("still opens the PR when a reviewer cannot be requested", async () => {
    const outcome = await publisherFor(fake, { reviewers: ["terrafix-bot"], assignees: ["carol"] }).publish(request());

    expect(outcome.type).toBe("pr-opened");
    expect(fake.pulls("acme", "infra")[0]).toMatchObject({ requestedReviewers: [], assignees: ["carol"], labels: ["terrafix", "compliance"] });
  });

  it("restores a body that lost its marker without a new commit when the files are the same", async () => {
    const req = request();
    await publisherFor(fake).publish(req);
    const pull = fake.pulls("acme", "infra")[0]!;
    pull.body = "edited by a human";
    const tip = fake.repo("acme", "infra").refs.get(req.branch);

    const outcome = await publisherFor(fake).publish(req);

    expect(outcome.type).toBe("pr-updated");
    expect(fake.repo("acme", "infra").refs.get(req.branch)).toBe(tip);
    expect(parseMarker(pull.body)?.key).toBe(req.key);
  });

  it("publishes other failures on their own branches", async () => {
    const publisher = publisherFor(fake);
    const a = await publisher.publish(request());
    const b = await publisher.publish(request({ failure: failure({ displayName: "acme-data", arn: "arn:aws:s3:::acme-data" }) }));

    expect([a.type, b.type]).toEqual(["pr-opened", "pr-opened"]);
    expect(new Set(fake.pulls("acme", "infra").map((p) => p.head)).size).toBe(2);
  });
});

describe("GitHub publisher cancellation", () => {
  it("aborts in-flight requests with the job's signal", async () => {
    const fake = await startFakeGitHub({ latency: 300 });
    try {
      seedRepo(fake);
      const controller = new AbortController();
      const req = request();
      // resolve() has no checkpoints of its own: only a signal on the requests can stop it.
      const pending = publisherFor(fake).resolve({ key: req.key, failure: req.failure, repo: req.repo, branch: req.branch }, controller.signal).catch((e: unknown) => e);
      setTimeout(() => controller.abort(), 50);

      const error = await pending;

      expect(error).toBeInstanceOf(TerraFixError);
      expect(error).toMatchObject({ kind: "transient", stage: "publish" });
    } finally {
      await fake.close();
    }
  });
});
