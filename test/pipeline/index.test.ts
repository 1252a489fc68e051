import { afterEach, describe, expect, it } from "vitest";
import { indexCheckouts } from "../../src/pipeline/index.js";
import { createSharedIndexes } from "../../src/pipeline/shared-index.js";
import { PipelineFixture } from "../support/pipeline-fixture.js";
import { BUCKET_TF } from "../support/terraform-repo.js";

let fixture: PipelineFixture | undefined;
afterEach(() => fixture?.remove());
const live = (): AbortSignal => new AbortController().signal;

describe("indexCheckouts (index stage)", () => {
  it("indexes every checkout, keeping its repository and .terrafix.yml", async () => {
    fixture = new PipelineFixture({ "acme/infra": { "main.tf": BUCKET_TF }, "acme/platform": { "net/sg.tf": 'resource "aws_security_group" "web" {\n  name = "web"\n}\n' } });
    const out = await indexCheckouts(await fixture.checkouts(), {}, live());
    expect(out.map((c) => [c.checkout.repo.name, c.index.resources.map((r) => r.address)])).toEqual([
      ["infra", ["aws_s3_bucket.logs"]],
      ["platform", ["aws_security_group.web"]],
    ]);
    expect(out[0]?.index.awsProviderMajor).toBe(5);
  });

  it("narrows the index to the single path .terrafix.yml names", async () => {
    fixture = new PipelineFixture({ "acme/infra": { "prod/main.tf": BUCKET_TF, "sandbox/main.tf": 'resource "aws_s3_bucket" "scratch" {\n  bucket = "scratch"\n}\n', ".terrafix.yml": "paths: [prod]\n" } });
    const [only] = await indexCheckouts(await fixture.checkouts(), {}, live());
    expect(only?.index.resources.map((r) => `${r.file} ${r.address}`)).toEqual(["prod/main.tf aws_s3_bucket.logs"]);
  });

  it("builds one index per checkout and head for concurrent jobs sharing the process's indexes", async () => {
    fixture = new PipelineFixture({ "acme/infra": { "main.tf": BUCKET_TF } });
    const sharedIndexes = createSharedIndexes();
    const checkouts = await fixture.checkouts();
    const [a, b] = await Promise.all([indexCheckouts(checkouts, { sharedIndexes }, live()), indexCheckouts(checkouts, { sharedIndexes }, live())]);
    expect(a?.[0]?.index).toBe(b?.[0]?.index);
  });

  it("honours the abort signal before indexing", async () => {
    fixture = new PipelineFixture({ "acme/infra": { "main.tf": BUCKET_TF } });
    const controller = new AbortController();
    controller.abort(new Error("shutdown"));
    await expect(indexCheckouts(await fixture.checkouts(), {}, controller.signal)).rejects.toThrow("shutdown");
  });

});
