import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { generateRuleFix } from "../../src/remediation/rules.js";
import { verifyChange } from "../../src/remediation/verify.js";
import { indexRepository } from "../../src/terraform/index.js";
import { formatter } from "../controls/helpers.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/controls/", import.meta.url));

describe("rule fixes on a repository index", () => {
  it("fixes a bucket inside a local module in the provider's v3 inline style", async () => {
    const index = await indexRepository(`${FIXTURES}module-repo`);
    expect(index.awsProviderMajor).toBe(3);
    const target = index.resourceByAddress("module.logs.aws_s3_bucket.this");
    if (target === undefined) throw new Error("the index has no module.logs.aws_s3_bucket.this");
    expect(target.file).toBe("modules/logs/main.tf");
    const result = generateRuleFix({ controlIds: ["s3-versioning", "s3-encryption"], target, ctx: index });
    expect(result.type).toBe("change");
    if (result.type !== "change") return;
    const [file] = result.change.files;
    expect(file?.path).toBe("modules/logs/main.tf");
    expect(file?.after).toBe(
      'variable "name" {\n  type = string\n}\n\nresource "aws_s3_bucket" "this" {\n  bucket = var.name\n  acl    = "log-delivery-write"\n\n  versioning {\n    enabled = true\n  }\n\n  server_side_encryption_configuration {\n    rule {\n      apply_server_side_encryption_by_default {\n        sse_algorithm = "AES256"\n      }\n    }\n  }\n}\n',
    );
    const report = await verifyChange(
      { change: result.change, controlIds: result.applied, targetAddress: target.address, files: index.files, resources: index.resources, awsProviderMajor: 3 },
      formatter === undefined ? {} : { formatter },
    );
    expect(report.checks.filter((c) => c.status === "fail")).toEqual([]);
  });

  it("fixes a registry module call found by the index through its inputs", async () => {
    const index = await indexRepository(`${FIXTURES}check-repo`);
    const call = index.moduleCallByAddress("module.web_sg");
    if (call === undefined) throw new Error("the index has no module.web_sg");
    const result = generateRuleFix({ controlIds: ["firewall-config-server"], moduleCall: call, ctx: index });
    expect(result.type === "change" && result.change.files[0]?.after).toContain("ingress_rules       = []");
  });
});
