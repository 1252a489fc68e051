import { describe, expect, it } from "vitest";
import { controlById } from "../../src/controls/catalogue.js";
import { collectReasons } from "../../src/controls/read.js";
import { runCatalogue } from "../../src/controls/run-catalogue.js";
import type { Control } from "../../src/controls/types.js";
import { generateRuleFix } from "../../src/remediation/rules.js";
import { contextOf, resource } from "./helpers.js";

/** Regression tests for the rule bugs of issue 14 (the fix paths also run in fixes.test.ts with verification and fmt). */
function control(id: string): Control {
  const found = controlById(id);
  if (found === undefined) throw new Error(`no control ${id}`);
  return found;
}

describe("security groups: self and string sources", () => {
  const sg = (ingress: string): string => `resource "aws_security_group" "app" {\n  name   = "app"\n  vpc_id = var.vpc_id\n\n  ingress {\n${ingress}\n  }\n}\n`;

  it("flags a rule open to 0.0.0.0/0 on all ports although it also has self = true", async () => {
    const ctx = await contextOf({ "sg.tf": sg(`    from_port   = 0\n    to_port     = 0\n    protocol    = "-1"\n    self        = true\n    cidr_blocks = ["0.0.0.0/0"]`) });
    const app = resource(ctx, "aws_security_group.app");
    for (const id of ["sg-ssh-restricted", "sg-rdp-restricted", "sg-ports-restricted"]) expect(control(id).check(app, ctx), id).toBe("fail");
  });

  it("passes a rule whose only source is the group itself", async () => {
    const ctx = await contextOf({ "sg.tf": sg(`    from_port = 0\n    to_port   = 0\n    protocol  = "-1"\n    self      = true`) });
    expect(control("sg-ports-restricted").check(resource(ctx, "aws_security_group.app"), ctx)).toBe("pass");
  });

  it('does not take self = "false" for a source: the fix deletes the rule instead of leaving one with no source', async () => {
    const ctx = await contextOf({
      "sg.tf": `resource "aws_security_group_rule" "ssh" {\n  type              = "ingress"\n  security_group_id = aws_security_group.app.id\n  from_port         = 22\n  to_port           = 22\n  protocol          = "tcp"\n  cidr_blocks       = ["0.0.0.0/0"]\n  self              = "false"\n}\n`,
    });
    const plan = control("sg-ssh-restricted").fix(resource(ctx, "aws_security_group_rule.ssh"), ctx);
    expect(plan.kind).toBe("edits");
    if (plan.kind !== "edits") return;
    const text = ctx.files.get("sg.tf")?.text ?? "";
    const edit = plan.files[0]?.edits[0];
    // One edit that removes the whole block (what is left is blank), not one that keeps `self = "false"` alone.
    expect(plan.files[0]?.edits).toHaveLength(1);
    expect(`${text.slice(0, edit?.start)}${edit?.text ?? ""}${text.slice(edit?.end)}`.trim()).toBe("");
  });
});

describe("log groups that never expire", () => {
  const group = (retention: string): string => `resource "aws_cloudwatch_log_group" "api" {\n  name = "/ecs/\${var.service}"${retention}\n  tags = local.tags\n}\n`;

  it.each([
    ["no retention_in_days", ""],
    ["retention_in_days = 0", "\n  retention_in_days = 0"],
    ["retention_in_days = 731", "\n  retention_in_days = 731"],
  ])("%s is compliant in check and is never changed by a fix", async (_title, retention) => {
    const ctx = await contextOf({ "logs.tf": group(retention) });
    const api = resource(ctx, "aws_cloudwatch_log_group.api");
    expect(control("log-group-retention").check(api, ctx)).toBe("pass");
    expect(runCatalogue(ctx).findings.filter((f) => f.control === "log-group-retention")).toEqual([]);
    expect(generateRuleFix({ controlIds: ["log-group-retention"], target: api, ctx }).type).toBe("already-compliant");
  });

  it("raises a retention shorter than a year to 365 days", async () => {
    const ctx = await contextOf({ "logs.tf": group("\n  retention_in_days = 14") });
    const result = generateRuleFix({ controlIds: ["log-group-retention"], target: resource(ctx, "aws_cloudwatch_log_group.api"), ctx });
    expect(result.type).toBe("change");
    expect(result.type === "change" ? result.change.files[0]?.after : "").toContain("retention_in_days = 365");
  });
});

describe("EBS encryption on instances and launch templates", () => {
  it("fails an instance whose root or extra EBS device is not encrypted, passes one where all are", async () => {
    const ctx = await contextOf({
      "ec2.tf": `resource "aws_instance" "plain" {\n  ami           = var.ami\n  instance_type = "t3.small"\n}\n\nresource "aws_instance" "data" {\n  ami           = var.ami\n  instance_type = "t3.small"\n\n  root_block_device {\n    encrypted = true\n  }\n\n  ebs_block_device {\n    device_name = "/dev/sdf"\n    encrypted   = "false"\n  }\n}\n\nresource "aws_instance" "sealed" {\n  ami           = var.ami\n  instance_type = "t3.small"\n\n  root_block_device {\n    encrypted  = true\n    kms_key_id = aws_kms_key.ebs.arn\n  }\n\n  ebs_block_device {\n    device_name = "/dev/sdf"\n    encrypted   = true\n  }\n}\n`,
    });
    const ebs = control("ebs-encryption");
    expect(ebs.check(resource(ctx, "aws_instance.plain"), ctx)).toBe("fail");
    expect(ebs.check(resource(ctx, "aws_instance.data"), ctx)).toBe("fail");
    expect(ebs.check(resource(ctx, "aws_instance.sealed"), ctx)).toBe("pass");
  });

  it("checks every EBS mapping of a launch template and says why a template without mappings is unknown", async () => {
    const ctx = await contextOf({
      "lt.tf": `resource "aws_launch_template" "web" {\n  name_prefix = "web-"\n  image_id    = var.ami\n\n  block_device_mappings {\n    device_name = "/dev/xvda"\n\n    ebs {\n      encrypted = true\n    }\n  }\n\n  block_device_mappings {\n    device_name = "/dev/xvdb"\n\n    ebs {\n      volume_size = 100\n    }\n  }\n}\n\nresource "aws_launch_template" "bare" {\n  name_prefix = "bare-"\n  image_id    = var.ami\n}\n`,
    });
    const ebs = control("ebs-encryption");
    expect(ebs.check(resource(ctx, "aws_launch_template.web"), ctx)).toBe("fail");
    const bare = collectReasons(() => ebs.check(resource(ctx, "aws_launch_template.bare"), ctx));
    expect(bare.value).toBe("unknown");
    expect(bare.reasons).toEqual(["aws_launch_template.bare declares no EBS block_device_mappings: instances get the AMI's volumes, whose encryption the code does not show"]);
    expect(runCatalogue(ctx).findings.find((f) => f.address === "aws_launch_template.bare" && f.control === "ebs-encryption")?.reason).toContain("declares no EBS block_device_mappings");
  });
});

describe("HTTPS redirect reported on the load balancer", () => {
  const lb = (listener: string, type = "application"): string =>
    `resource "aws_lb" "edge" {\n  name               = "edge"\n  load_balancer_type = "${type}"\n  subnets            = var.subnets\n}\n\nresource "aws_lb_listener" "front" {\n  load_balancer_arn = aws_lb.edge.arn\n  port              = 80\n${listener}\n}\n`;

  it("fails with an HTTP listener that forwards, passes with one that redirects", async () => {
    const failing = await contextOf({ "lb.tf": lb(`  protocol          = "HTTP"\n\n  default_action {\n    type             = "forward"\n    target_group_arn = aws_lb_target_group.app.arn\n  }`) });
    expect(control("alb-https-redirect").check(resource(failing, "aws_lb.edge"), failing)).toBe("fail");
    const passing = await contextOf({
      "lb.tf": lb(`  protocol          = "HTTP"\n\n  default_action {\n    type = "redirect"\n\n    redirect {\n      port        = "443"\n      protocol    = "HTTPS"\n      status_code = "HTTP_301"\n    }\n  }`),
    });
    expect(control("alb-https-redirect").check(resource(passing, "aws_lb.edge"), passing)).toBe("pass");
  });

  it("moves the fix to the listener, and passes a network load balancer", async () => {
    const ctx = await contextOf({ "lb.tf": lb(`  protocol          = "HTTP"\n\n  default_action {\n    type             = "forward"\n    target_group_arn = aws_lb_target_group.app.arn\n  }`) });
    const plan = control("alb-https-redirect").fix(resource(ctx, "aws_lb.edge"), ctx);
    expect(plan.kind).toBe("edits");
    expect(plan.kind === "edits" ? plan.summary : "").toContain("aws_lb_listener.front");
    const nlb = await contextOf({ "lb.tf": lb(`  protocol          = "TCP"\n\n  default_action {\n    type             = "forward"\n    target_group_arn = aws_lb_target_group.app.arn\n  }`, "network") });
    expect(control("alb-https-redirect").check(resource(nlb, "aws_lb.edge"), nlb)).toBe("pass");
  });

  it("says why a load balancer without listeners in the code is unknown, and refuses to fix it", async () => {
    const ctx = await contextOf({ "lb.tf": `resource "aws_lb" "edge" {\n  name    = "edge"\n  subnets = var.subnets\n}\n` });
    const edge = resource(ctx, "aws_lb.edge");
    expect(collectReasons(() => control("alb-https-redirect").check(edge, ctx))).toEqual({ value: "unknown", reasons: ["no listener in the code is attached to aws_lb.edge (load_balancer_arn = aws_lb.edge.arn)"] });
    expect(control("alb-https-redirect").fix(edge, ctx).kind).toBe("unsupported");
  });
});
