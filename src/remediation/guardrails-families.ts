import { allControls, controlsForTest } from "../controls/catalogue.js";

/**
 * Which resource and data-source types a fix may ADD, per control family. The families come from
 * the controls catalogue (src/controls/): each control's `resourceTypes` plus the companion
 * resources its fix writes (S3 v4+ settings are separate `aws_s3_bucket_*` resources; closing a
 * port may add `aws_vpc_security_group_ingress_rule`s). A family is a list of type prefixes; a
 * type belongs to it when it equals a prefix or extends it with `_...`.
 *
 * For a test no control covers, the family is the target's own service (`aws_iam_role` ->
 * `aws_iam*`), so the model can add a companion of the same service but never `local_file`,
 * `null_resource`, `terraform_data` or another provider's resources.
 */
export interface TypeFamily {
  name: string;
  prefixes: readonly string[];
}

export const FAMILIES: readonly TypeFamily[] = [
  { name: "s3", prefixes: ["aws_s3_bucket"] },
  { name: "rds", prefixes: ["aws_db", "aws_rds"] },
  { name: "security-group", prefixes: ["aws_security_group", "aws_vpc_security_group"] },
  { name: "ec2", prefixes: ["aws_instance", "aws_launch_template", "aws_launch_configuration"] },
  { name: "ebs", prefixes: ["aws_ebs"] },
  { name: "kms", prefixes: ["aws_kms"] },
  { name: "cloudtrail", prefixes: ["aws_cloudtrail"] },
  { name: "dynamodb", prefixes: ["aws_dynamodb"] },
  { name: "logs", prefixes: ["aws_cloudwatch_log"] },
  { name: "load-balancer", prefixes: ["aws_lb_listener", "aws_alb_listener", "aws_lb", "aws_alb"] },
  { name: "iam-account", prefixes: ["aws_iam_account"] },
];

/**
 * Data sources any family may add: they read identity facts or render a policy document (whose
 * statements the IAM guardrail judges) and send nothing anywhere. `http` and `external` are never
 * here: one sends data to a URL during plan, the other runs a program.
 */
export const NEUTRAL_DATA_SOURCES: ReadonlySet<string> = new Set(["aws_caller_identity", "aws_partition", "aws_region", "aws_iam_policy_document"]);

/**
 * Resources any family may add: an alarm watches a metric of the target and changes nothing
 * about it (Vanta's "...-monitored-and-alarmed" tests are fixed by adding one).
 */
export const NEUTRAL_RESOURCES: ReadonlySet<string> = new Set(["aws_cloudwatch_metric_alarm"]);

/** Data sources that act outside Terraform during plan. */
export const ACTING_DATA_SOURCES: ReadonlySet<string> = new Set(["external", "http"]);

function belongs(type: string, prefix: string): boolean {
  return type === prefix || type.startsWith(`${prefix}_`);
}

export function familyOf(type: string): TypeFamily {
  const known = FAMILIES.find((f) => f.prefixes.some((p) => belongs(type, p)));
  if (known !== undefined) return known;
  // The target's own service: the provider and the first word of the type (`aws_iam_role` -> `aws_iam`).
  const service = /^[a-z0-9]+_[a-z0-9]+/.exec(type)?.[0] ?? type;
  return { name: service, prefixes: [service] };
}

export interface TypeAllowlist {
  families: readonly TypeFamily[];
  allows(mode: "managed" | "data", type: string): boolean;
}

/** The allowlist of a change: the target's family and the families of the controls it must satisfy. */
export function allowlistFor(targetType: string, controlIds: readonly string[], testMappings: Readonly<Record<string, string>> = {}): TypeAllowlist {
  const types = [targetType, ...controlIds.flatMap((id) => controlsForTest(id, testMappings)).flatMap((c) => c.resourceTypes)].filter((t) => t !== "");
  const families: TypeFamily[] = [];
  for (const type of types) {
    const family = familyOf(type);
    if (!families.some((f) => f.name === family.name)) families.push(family);
  }
  return {
    families,
    allows(mode, type) {
      if (mode === "data" && NEUTRAL_DATA_SOURCES.has(type)) return true;
      if (mode === "managed" && NEUTRAL_RESOURCES.has(type)) return true;
      return families.some((f) => f.prefixes.some((p) => belongs(type, p)));
    },
  };
}

/** Every control's resource types fall in a family (tested, so a new control cannot slip past). */
export function catalogueTypes(): string[] {
  return [...new Set(allControls().flatMap((c) => c.resourceTypes))];
}
