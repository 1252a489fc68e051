import { describe, expect, it } from "vitest";
import { RESOURCE_KINDS, kindForTerraformType, kindsFor, lookupKind } from "../../src/domain/resource-kinds.js";

describe("lookupKind", () => {
  it.each([
    ["AWS::S3::Bucket", "s3-bucket"],
    ["aws_s3_bucket", "s3-bucket"],
    ["S3 bucket", "s3-bucket"],
    ["s3 BUCKET", "s3-bucket"],
    ["AWS::RDS::DBInstance", "rds-instance"],
    ["aws_db_instance", "rds-instance"],
    ["AWS::IAM::ManagedPolicy", "iam-policy"],
    ["aws_alb", "load-balancer"],
    ["AWS account", "iam-password-policy"],
    ["AWS::EC2::SecurityGroup", "security-group"],
    ["aws_vpc_security_group_ingress_rule", "security-group"],
  ])("%s -> %s", (text, id) => {
    expect(lookupKind(text)?.id).toBe(id);
  });

  it("answers nothing for an unknown kind", () => {
    expect(lookupKind("Quantum flux capacitor")).toBeUndefined();
    expect(kindsFor("")).toEqual([]);
  });

  it("maps every Terraform type to exactly one kind", () => {
    const seen = new Map<string, string>();
    for (const kind of RESOURCE_KINDS)
      for (const type of kind.terraformTypes) {
        expect(seen.get(type), `${type} in ${kind.id} and ${seen.get(type)}`).toBeUndefined();
        seen.set(type, kind.id);
        expect(kindForTerraformType(type)?.id).toBe(kind.id);
      }
  });

  it("gives every kind with a name attribute a non-generated ARN", () => {
    for (const kind of RESOURCE_KINDS) if (kind.nameAttribute !== undefined) expect(kind.idOnly, kind.id).toBe(false);
  });
});
