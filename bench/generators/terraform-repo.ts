import { mkdir, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Writes a synthetic Terraform repository for benchmarks: a mix of common AWS resources with
 * interpolated names (locals, variables passed down module chains), local modules up to
 * `moduleDepth` deep, and a manifest saying what each resource's real name and ARN would be.
 */
export interface GenerateOptions {
  resources: number;
  files: number;
  moduleDepth: number;
  seed?: number;
  /** Number of module chains under modules/ (default 10). */
  chains?: number;
  account?: string;
  region?: string;
  /** Modification time to give every file (a checkout fetched earlier); default: now. */
  mtime?: Date;
  /**
   * Add the peers controls look up (split `aws_s3_bucket_*` resources, security group rules),
   * connected by reference (`.id`, `.bucket`) and by literal bucket name. They count towards
   * `resources` but are not in the manifest (they are not matching targets).
   */
  companions?: boolean;
  /**
   * The root's `var.env` default (default "prod"); every name starts with `<env>-acme`. The roots
   * of a monorepo get different ones, as real stacks have different names.
   */
  env?: string;
}

export interface ManifestResource {
  /** Full address, e.g. `module.chain3.module.child.aws_s3_bucket.r42`. */
  address: string;
  type: string;
  /** File relative to the repository root. */
  file: string;
  /** The name the resource would have in AWS (for id-only kinds: its Name tag). */
  name: string;
  /** A plausible ARN (id-only kinds get a deterministic fake id). */
  arn: string;
  /** Vanta-style kind text. */
  kind: string;
  /** id-only kinds are matched by the Name tag, not by the ARN. */
  idOnly: boolean;
}

export interface Manifest {
  root: string;
  files: number;
  resources: ManifestResource[];
}

interface Dir {
  rel: string;
  modulePath: string[];
  /** The value `var.prefix` / `local.prefix` has in this directory. */
  prefix: string;
  root: boolean;
}

const TYPES = ["aws_s3_bucket", "aws_db_instance", "aws_security_group", "aws_instance", "aws_kms_key", "aws_cloudtrail", "aws_iam_role", "aws_cloudwatch_log_group", "aws_sqs_queue"] as const;
type GenType = (typeof TYPES)[number];

export async function generateTerraformRepo(dir: string, options: GenerateOptions): Promise<Manifest> {
  const random = mulberry32(options.seed ?? 42);
  const account = options.account ?? "123456789012";
  const region = options.region ?? "us-east-1";
  const chains = Math.max(0, options.moduleDepth > 0 ? (options.chains ?? 10) : 0);
  const env = options.env ?? "prod";
  const dirs: Dir[] = [{ rel: "", modulePath: [], prefix: `${env}-acme`, root: true }];
  for (let c = 0; c < chains; c++) {
    let rel = `modules/chain${c}`;
    let path = [`chain${c}`];
    let prefix = `${env}-acme-c${c}`;
    for (let level = 1; level <= options.moduleDepth; level++) {
      dirs.push({ rel, modulePath: path, prefix, root: false });
      rel = `${rel}/child`;
      path = [...path, "child"];
      prefix = `${prefix}-l${level + 1}`;
    }
  }
  // Every directory also gets a main.tf (variables, locals, module calls): count those in `files`.
  const fileCount = Math.max(options.files - dirs.length, dirs.length);
  const perFile = Math.ceil(options.resources / fileCount);
  const manifest: ManifestResource[] = [];
  const contents = new Map<string, string[]>();
  let n = 0;
  for (let f = 0; f < fileCount; f++) {
    const d = dirs[f % dirs.length] ?? dirs[0]!;
    const file = `${d.rel === "" ? "" : `${d.rel}/`}res${f}.tf`;
    const blocks: string[] = [`# generated file ${f} — synthetic resources for the TerraFix benchmark\n`];
    for (let i = 0; i < perFile && n < options.resources; i++, n++) {
      const type = TYPES[Math.floor(random() * TYPES.length)] ?? "aws_s3_bucket";
      const { block, entry } = resourceBlock(type, n, d, account, region, options.companions === true);
      blocks.push(block);
      manifest.push({ ...entry, address: `${d.modulePath.map((m) => `module.${m}.`).join("")}${type}.r${n}`, file });
      const companion = options.companions === true && n + 1 < options.resources ? companionBlock(type, n, entry.name) : undefined;
      if (companion !== undefined) {
        blocks.push(companion);
        n++;
        i++;
      }
    }
    contents.set(file, blocks);
  }
  for (const d of dirs) {
    const prelude = d.root
      ? `terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = "~> 5.0"\n    }\n  }\n}\n\nvariable "env" {\n  type    = string\n  default = "${env}"\n}\n\nlocals {\n  prefix = "\${var.env}-acme"\n  tags   = { team = "platform", env = var.env }\n}\n`
      : `variable "prefix" {\n  type = string\n}\n\nlocals {\n  prefix = var.prefix\n  tags   = { team = "platform" }\n}\n`;
    const calls = dirs
      .filter((child) => child.modulePath.length === d.modulePath.length + 1 && child.modulePath.slice(0, -1).join("/") === d.modulePath.join("/"))
      .map((child) => {
        const name = child.modulePath[child.modulePath.length - 1] ?? "child";
        const source = d.root ? `./${child.rel}` : "./child";
        const suffix = child.prefix.slice(d.prefix.length);
        return `\nmodule "${name}" {\n  source = "${source}"\n  prefix = "\${local.prefix}${suffix}"\n}\n`;
      });
    contents.set(`${d.rel === "" ? "" : `${d.rel}/`}main.tf`, [prelude, ...calls]);
  }
  for (const [file, blocks] of contents) {
    const full = join(dir, file);
    await mkdir(join(full, ".."), { recursive: true });
    await writeFile(full, blocks.join("\n"));
    if (options.mtime !== undefined) await utimes(full, options.mtime, options.mtime);
  }
  return { root: dir, files: contents.size, resources: manifest };
}

function resourceBlock(type: GenType, n: number, d: Dir, account: string, region: string, companions = false): { block: string; entry: Omit<ManifestResource, "address" | "file"> } {
  const name = `${d.prefix}-${short(type)}-${n}`;
  // With companions, some buckets have a literal name, so a split resource can name them literally.
  const tmpl = companions && type === "aws_s3_bucket" && n % 5 === 3 ? name : `\${local.prefix}-${short(type)}-${n}`;
  const tags = `merge(local.tags, { Name = "${tmpl}" })`;
  const hex = (n * 2654435761).toString(16).padStart(17, "0").slice(-17);
  switch (type) {
    case "aws_s3_bucket":
      return { block: `resource "${type}" "r${n}" {\n  bucket = "${tmpl}"\n  tags   = ${tags}\n}\n`, entry: { type, name, arn: `arn:aws:s3:::${name}`, kind: "S3 bucket", idOnly: false } };
    case "aws_db_instance":
      return { block: `resource "${type}" "r${n}" {\n  identifier        = "${tmpl}"\n  engine            = "postgres"\n  instance_class    = "db.t3.micro"\n  allocated_storage = 20\n  storage_encrypted = ${n % 2 === 0}\n  tags              = ${tags}\n}\n`, entry: { type, name, arn: `arn:aws:rds:${region}:${account}:db:${name}`, kind: "RDS instance", idOnly: false } };
    case "aws_security_group":
      return { block: `resource "${type}" "r${n}" {\n  name        = "${tmpl}"\n  description = "generated"\n\n  ingress {\n    from_port   = 443\n    to_port     = 443\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n\n  tags = ${tags}\n}\n`, entry: { type, name, arn: `arn:aws:ec2:${region}:${account}:security-group/sg-${hex}`, kind: "Security group", idOnly: true } };
    case "aws_instance":
      return { block: `resource "${type}" "r${n}" {\n  ami           = "ami-0123456789abcdef0"\n  instance_type = "t3.micro"\n  tags          = ${tags}\n}\n`, entry: { type, name, arn: `arn:aws:ec2:${region}:${account}:instance/i-${hex}`, kind: "EC2 instance", idOnly: true } };
    case "aws_kms_key":
      return { block: `resource "${type}" "r${n}" {\n  description         = <<-EOT\n    Key ${n} for ${tmpl}\n  EOT\n  enable_key_rotation = ${n % 3 !== 0}\n  tags                = ${tags}\n}\n`, entry: { type, name, arn: `arn:aws:kms:${region}:${account}:key/00000000-0000-4000-8000-${hex.slice(-12)}`, kind: "KMS key", idOnly: true } };
    case "aws_cloudtrail":
      return { block: `resource "${type}" "r${n}" {\n  name           = "${tmpl}"\n  s3_bucket_name = "trail-logs"\n  tags           = ${tags}\n}\n`, entry: { type, name, arn: `arn:aws:cloudtrail:${region}:${account}:trail/${name}`, kind: "CloudTrail trail", idOnly: false } };
    case "aws_iam_role":
      return { block: `resource "${type}" "r${n}" {\n  name               = "${tmpl}"\n  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })\n  tags               = ${tags}\n}\n`, entry: { type, name, arn: `arn:aws:iam::${account}:role/${name}`, kind: "IAM role", idOnly: false } };
    case "aws_cloudwatch_log_group":
      return { block: `resource "${type}" "r${n}" {\n  name              = "/${tmpl}"\n  retention_in_days = 30\n}\n`, entry: { type, name: `/${name}`, arn: `arn:aws:logs:${region}:${account}:log-group:/${name}`, kind: "CloudWatch log group", idOnly: false } };
    case "aws_sqs_queue":
      return { block: `resource "${type}" "r${n}" {\n  name = "${tmpl}"\n  tags = ${tags}\n}\n`, entry: { type, name, arn: `arn:aws:sqs:${region}:${account}:${name}`, kind: "SQS queue", idOnly: false } };
  }
}

/**
 * A peer of resource `n` (the next number), or none: split S3 resources for most buckets (by
 * `.id`, `.bucket`, or the literal name when the bucket has one), rule resources for security
 * groups (one opens SSH to the world, so the group fails through its rule).
 */
function companionBlock(type: GenType, n: number, name: string): string | undefined {
  const ref = `${type}.r${n}`;
  const id = `r${n + 1}`;
  if (type === "aws_s3_bucket") {
    switch (n % 5) {
      case 0:
        return `resource "aws_s3_bucket_versioning" "${id}" {\n  bucket = ${ref}.id\n  versioning_configuration {\n    status = "Enabled"\n  }\n}\n`;
      case 1:
        return `resource "aws_s3_bucket_server_side_encryption_configuration" "${id}" {\n  bucket = ${ref}.bucket\n  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm = "aws:kms"\n    }\n  }\n}\n`;
      case 3:
        return `resource "aws_s3_bucket_public_access_block" "${id}" {\n  bucket                  = "${name}"\n  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n  restrict_public_buckets = true\n}\n`;
      default:
        return undefined;
    }
  }
  if (type === "aws_security_group") {
    if (n % 3 === 0)
      return `resource "aws_security_group_rule" "${id}" {\n  type              = "ingress"\n  security_group_id = ${ref}.id\n  from_port         = 22\n  to_port           = 22\n  protocol          = "tcp"\n  cidr_blocks       = ["0.0.0.0/0"]\n}\n`;
    if (n % 3 === 1)
      return `resource "aws_vpc_security_group_ingress_rule" "${id}" {\n  security_group_id = ${ref}.id\n  from_port         = 3389\n  to_port           = 3389\n  ip_protocol       = "tcp"\n  cidr_ipv4         = "10.0.0.0/8"\n}\n`;
  }
  return undefined;
}

function short(type: string): string {
  return type.replace(/^aws_/, "").replace(/_/g, "").slice(0, 8);
}

/** Small seeded PRNG so a seed always gives the same repository. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
