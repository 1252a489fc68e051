/**
 * ARN parsing and formatting for the services in shared/reference/arn-mapping.md.
 * Grammar: arn:{partition}:{service}:{region}:{account}:{resource}; resource is `id`,
 * `type/id` or `type:id`. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
export type Partition = "aws" | "aws-cn" | "aws-us-gov";

export interface Arn {
  partition: Partition;
  service: string;
  /** Empty for global services (S3, IAM, Route 53, CloudFront). */
  region: string;
  /** Empty for S3 buckets. */
  account: string;
  /** Everything after the fifth colon, verbatim. */
  resource: string;
  /** `db`, `cluster`, `user`, `loadbalancer`, `log-group`, ... ; empty when the resource has no type. */
  resourceType: string;
  /** The resource part after the type (may itself contain `/`, e.g. `app/NAME/ID`). */
  resourceId: string;
  /**
   * The name as Terraform would write it in the resource's name attribute: IAM paths removed,
   * Secrets Manager's random suffix removed, a load balancer's generated id removed, the `:*` of
   * a log group removed, a Lambda qualifier removed. Equal to `resourceId` where no rule applies.
   */
  name: string;
  /** IAM path (`/division/`), when present. */
  path?: string;
  /** Lambda version or alias, when present. */
  qualifier?: string;
}

export class ArnError extends Error {
  readonly input: string;
  constructor(input: string, reason: string) {
    super(`invalid ARN ${JSON.stringify(truncate(input))}: ${reason}`);
    this.name = "ArnError";
    this.input = input;
  }
}

const PARTITIONS: readonly Partition[] = ["aws", "aws-cn", "aws-us-gov"];
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const ACCOUNT = /^\d{12}$/;
/** Services whose ARN separates type and id with `:` rather than `/`. */
const COLON_TYPED = new Set(["rds", "lambda", "logs", "elasticache", "redshift", "secretsmanager", "states", "backup"]);
/** Services whose resources have no type prefix: the whole resource is the name. */
const UNTYPED = new Set(["s3", "sns", "sqs"]);
const SERVICES_WITHOUT_REGION = new Set(["s3", "iam", "route53", "cloudfront"]);
const SERVICES_WITHOUT_ACCOUNT = new Set(["s3", "route53"]);

export function parseArn(input: string): Arn {
  if (typeof input !== "string") throw new ArnError(String(input), "not a string");
  const text = input.trim();
  if (text.length === 0) throw new ArnError(input, "empty");
  if (text.length > 2048) throw new ArnError(input, "longer than 2048 characters");
  if (/\s/.test(text)) throw new ArnError(input, "contains whitespace");
  const parts = text.split(":");
  if (parts[0] !== "arn") throw new ArnError(input, "must start with 'arn:'");
  if (parts.length < 6) throw new ArnError(input, `expected 6 colon-separated parts, got ${parts.length}`);
  const [, partition = "", service = "", region = "", account = ""] = parts;
  const resource = parts.slice(5).join(":");
  if (!PARTITIONS.includes(partition as Partition))
    throw new ArnError(input, `unknown partition '${partition}' (expected aws, aws-cn or aws-us-gov)`);
  if (!/^[a-z0-9-]+$/.test(service)) throw new ArnError(input, service === "" ? "service is empty" : `invalid service '${service}'`);
  if (region !== "" && !REGION.test(region)) throw new ArnError(input, `invalid region '${region}'`);
  if (account !== "" && !ACCOUNT.test(account) && account !== "aws")
    throw new ArnError(input, `invalid account '${account}' (expected 12 digits)`);
  if (resource === "") throw new ArnError(input, "resource is empty");
  if (region === "" && !SERVICES_WITHOUT_REGION.has(service) && service !== "iam" && service !== "apigateway")
    throw new ArnError(input, `service '${service}' requires a region`);
  if (account === "" && !SERVICES_WITHOUT_ACCOUNT.has(service) && service !== "apigateway")
    throw new ArnError(input, `service '${service}' requires an account id`);
  if (service === "s3" && (region !== "" || account !== "") && !resource.includes("/"))
    throw new ArnError(input, "an S3 bucket ARN has an empty region and account");

  const base = { partition: partition as Partition, service, region, account, resource };
  return { ...base, ...splitResource(input, service, resource) };
}

function splitResource(
  input: string,
  service: string,
  resource: string,
): Pick<Arn, "resourceType" | "resourceId" | "name"> & { path?: string; qualifier?: string } {
  if (UNTYPED.has(service)) {
    if (service === "s3") {
      const slash = resource.indexOf("/");
      const bucket = slash < 0 ? resource : resource.slice(0, slash);
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new ArnError(input, `invalid S3 bucket name '${bucket}'`);
      return slash < 0
        ? { resourceType: "", resourceId: bucket, name: bucket }
        : { resourceType: "object", resourceId: resource, name: bucket };
    }
    return { resourceType: "", resourceId: resource, name: resource };
  }
  const colon = resource.indexOf(":");
  const slash = resource.indexOf("/");
  let sep: number;
  if (COLON_TYPED.has(service)) sep = colon >= 0 ? colon : slash;
  else if (slash >= 0 && (colon < 0 || slash < colon)) sep = slash;
  else sep = colon;
  if (sep < 0) return { resourceType: "", resourceId: resource, name: resource };
  const resourceType = resource.slice(0, sep);
  const resourceId = resource.slice(sep + 1);
  if (resourceType === "") throw new ArnError(input, "resource type is empty");
  if (resourceId === "") throw new ArnError(input, `resource id after '${resourceType}' is empty`);
  return { resourceType, resourceId, ...nameOf(input, service, resourceType, resourceId) };
}

function nameOf(
  input: string,
  service: string,
  type: string,
  id: string,
): { name: string; path?: string; qualifier?: string } {
  if (service === "iam" && ["user", "role", "policy", "group", "instance-profile"].includes(type)) {
    const last = id.lastIndexOf("/");
    if (last < 0) return { name: id, path: "/" };
    const name = id.slice(last + 1);
    if (name === "") throw new ArnError(input, `IAM ${type} name is empty`);
    return { name, path: `/${id.slice(0, last + 1)}` };
  }
  if (service === "secretsmanager" && type === "secret") {
    // Secrets Manager appends "-" and six random characters to the name.
    const match = /^(.+)-[A-Za-z0-9]{6}$/.exec(id);
    return { name: match?.[1] ?? id };
  }
  if (service === "logs" && type === "log-group") return { name: id.replace(/:\*$/, "") };
  if (service === "lambda" && type === "function") {
    const [name = id, qualifier] = id.split(":");
    return qualifier === undefined ? { name } : { name, qualifier };
  }
  if (service === "elasticloadbalancing") {
    const segments = id.split("/");
    if (type === "loadbalancer") {
      // v2: app|net|gwy/NAME/ID ; classic: NAME
      if (segments.length === 3 && ["app", "net", "gwy"].includes(segments[0] ?? "")) return { name: segments[1] ?? id };
      if (segments.length === 1) return { name: id };
      throw new ArnError(input, "load balancer must be app|net|gwy/NAME/ID or NAME");
    }
    if (type === "targetgroup") return { name: segments[0] ?? id };
    if (type === "listener" || type === "listener-rule") return { name: segments[1] ?? id };
  }
  if (service === "ssm" && type === "parameter") return { name: id };
  if (service === "kms" && type === "alias") return { name: `alias/${id}` };
  if (service === "dynamodb" && type === "table") return { name: id.split("/")[0] ?? id };
  if (service === "wafv2") {
    const segments = id.split("/");
    return { name: segments[1] ?? id };
  }
  if (service === "ecs" && type === "service") {
    const segments = id.split("/");
    return { name: segments[segments.length - 1] ?? id };
  }
  return { name: id };
}

export function formatArn(arn: Pick<Arn, "partition" | "service" | "region" | "account" | "resource">): string {
  return `arn:${arn.partition}:${arn.service}:${arn.region}:${arn.account}:${arn.resource}`;
}

/** Parses without throwing; for inputs where a bad ARN is an ordinary answer. */
export function tryParseArn(input: string): Arn | ArnError {
  try {
    return parseArn(input);
  } catch (error) {
    if (error instanceof ArnError) return error;
    throw error;
  }
}

function truncate(value: string): string {
  return value.length > 120 ? `${value.slice(0, 117)}...` : value;
}
