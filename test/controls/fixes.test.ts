import { describe, expect, it } from "vitest";
import { controlById } from "../../src/controls/catalogue.js";
import { generateRuleFix } from "../../src/remediation/rules.js";
import { verifyChange } from "../../src/remediation/verify.js";
import { contextOf, formatter, resource } from "./helpers.js";

interface Case {
  control: string;
  address: string;
  files: Record<string, string>;
  /** Substrings the fixed file must hold. */
  contains: string[];
  /** Substrings the fixed file must no longer hold. */
  absent?: string[];
  awsProviderMajor?: number;
  /** The fix deletes the offending block (a rule that only opens the port) instead of editing it. */
  removes?: true;
}

const BUCKET = `resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
  acl    = "private" # keep me
}
`;
const V3_BUCKET = `resource "aws_s3_bucket" "data" {
  bucket = "acme-data"

  lifecycle_rule {
    enabled = true
  }
}
`;
const DB = `resource "aws_db_instance" "main" {
  identifier     = "main"
  engine         = "postgres"
  instance_class = "db.t3.micro"
}
`;

const CASES: Case[] = [
  { control: "s3-versioning", address: "aws_s3_bucket.data", files: { "main.tf": BUCKET }, contains: ['resource "aws_s3_bucket_versioning" "data"', "bucket = aws_s3_bucket.data.id", 'status = "Enabled"'] },
  { control: "s3-versioning", address: "aws_s3_bucket.data", files: { "main.tf": V3_BUCKET }, contains: ["  versioning {\n    enabled = true\n  }"], absent: ["aws_s3_bucket_versioning"] },
  { control: "s3-versioning", address: "aws_s3_bucket.data", files: { "main.tf": BUCKET }, awsProviderMajor: 3, contains: ["versioning {"], absent: ["aws_s3_bucket_versioning"] },
  {
    control: "s3-versioning",
    address: "aws_s3_bucket.data",
    files: { "main.tf": `${BUCKET}\nresource "aws_s3_bucket_versioning" "v" {\n  bucket = aws_s3_bucket.data.id\n  versioning_configuration {\n    status = "Suspended"\n  }\n}\n` },
    contains: ['status = "Enabled"'],
    absent: ["Suspended"],
  },
  { control: "s3-versioning", address: "aws_s3_bucket.data", files: { "main.tf": `resource "aws_s3_bucket" "data" {\n  bucket = "x"\n  versioning {\n    enabled = false\n  }\n}\n` }, contains: ["enabled = true"], absent: ["false"] },
  { control: "s3-encryption", address: "aws_s3_bucket.data", files: { "main.tf": BUCKET }, contains: ['resource "aws_s3_bucket_server_side_encryption_configuration" "data"', 'sse_algorithm = "AES256"'] },
  { control: "s3-encryption", address: "aws_s3_bucket.data", files: { "main.tf": V3_BUCKET }, contains: ["server_side_encryption_configuration {", 'sse_algorithm = "AES256"'] },
  { control: "s3-encryption-kms", address: "aws_s3_bucket.data", files: { "main.tf": BUCKET }, contains: ['sse_algorithm = "aws:kms"', "bucket_key_enabled = true"] },
  {
    control: "s3-encryption-kms",
    address: "aws_s3_bucket.data",
    files: {
      "main.tf": BUCKET,
      "enc.tf": `resource "aws_s3_bucket_server_side_encryption_configuration" "data" {\n  bucket = aws_s3_bucket.data.bucket\n\n  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm = "AES256"\n    }\n  }\n}\n`,
    },
    contains: ['sse_algorithm = "aws:kms"'],
    absent: ["AES256"],
  },
  { control: "s3-public-access-block", address: "aws_s3_bucket.data", files: { "main.tf": BUCKET }, contains: ['resource "aws_s3_bucket_public_access_block" "data"', "restrict_public_buckets = true"] },
  {
    control: "s3-public-access-block",
    address: "aws_s3_bucket.data",
    files: { "main.tf": `${BUCKET}\nresource "aws_s3_bucket_public_access_block" "data" {\n  bucket            = aws_s3_bucket.data.id\n  block_public_acls = false\n}\n` },
    contains: ["block_public_acls = true", "block_public_policy     = true"],
    absent: ["false"],
  },
  {
    control: "s3-access-logging",
    address: "aws_s3_bucket.data",
    files: { "main.tf": `${BUCKET}\nresource "aws_s3_bucket" "access_logs" {\n  bucket = "acme-access-logs"\n}\n` },
    contains: ['resource "aws_s3_bucket_logging" "data"', "target_bucket = aws_s3_bucket.access_logs.id", 'target_prefix = "data/"'],
  },
  {
    control: "s3-access-logging",
    address: "aws_s3_bucket.data",
    files: { "main.tf": `${V3_BUCKET}\nresource "aws_s3_bucket" "other" {\n  bucket = "o"\n  logging {\n    target_bucket = "central-logs"\n  }\n}\n` },
    contains: ['  logging {\n    target_bucket = "central-logs"'],
  },
  { control: "rds-storage-encrypted", address: "aws_db_instance.main", files: { "main.tf": DB }, contains: ["  storage_encrypted = true\n}"] },
  { control: "rds-storage-encrypted", address: "aws_rds_cluster.c", files: { "main.tf": `resource "aws_rds_cluster" "c" {\n  engine            = "aurora-postgresql"\n  storage_encrypted = false\n}\n` }, contains: ["storage_encrypted = true"] },
  { control: "rds-not-public", address: "aws_db_instance.main", files: { "main.tf": `resource "aws_db_instance" "main" {\n  identifier          = "main"\n  publicly_accessible = true\n}\n` }, contains: ["publicly_accessible = false"] },
  { control: "rds-backup-retention", address: "aws_db_instance.main", files: { "main.tf": DB }, contains: ["backup_retention_period = 7"] },
  { control: "rds-backup-retention", address: "aws_db_instance.main", files: { "main.tf": `resource "aws_db_instance" "main" {\n  identifier              = "main"\n  backup_retention_period = 1\n}\n` }, contains: ["backup_retention_period = 7"] },
  { control: "rds-deletion-protection", address: "aws_db_instance.main", files: { "main.tf": DB }, contains: ["deletion_protection = true"] },
  { control: "rds-multi-az", address: "aws_db_instance.main", files: { "main.tf": DB }, contains: ["  multi_az       = true\n}"] },
  {
    control: "sg-ssh-restricted",
    address: "aws_security_group.web",
    files: {
      "sg.tf": `resource "aws_security_group" "web" {
  name = "web"

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8", "0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`,
    },
    contains: ["from_port   = 443", 'cidr_blocks = ["10.0.0.0/8"]', "egress {"],
  },
  {
    control: "sg-rdp-restricted",
    address: "aws_security_group_rule.rdp",
    removes: true,
    files: {
      "sg.tf": `resource "aws_security_group_rule" "rdp" {
  type              = "ingress"
  from_port         = 3389
  to_port           = 3389
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
  ipv6_cidr_blocks  = ["::/0"]
  security_group_id = aws_security_group.win.id
}

resource "aws_security_group_rule" "https" {
  type              = "ingress"
  from_port         = 443
  to_port           = 443
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = aws_security_group.win.id
}
`,
    },
    contains: ['resource "aws_security_group_rule" "https"'],
    absent: ['"rdp"'],
  },
  {
    control: "sg-ports-restricted",
    address: "aws_security_group.app",
    files: {
      "sg.tf": `resource "aws_security_group" "app" {
  name = "app"
}

resource "aws_vpc_security_group_ingress_rule" "pg" {
  security_group_id = aws_security_group.app.id
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 5432
  to_port           = 5432
  ip_protocol       = "tcp"
}

resource "aws_vpc_security_group_ingress_rule" "http" {
  security_group_id = aws_security_group.app.id
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 80
  to_port           = 80
  ip_protocol       = "tcp"
}
`,
    },
    contains: ['"http"'],
    absent: ['"pg"'],
  },
  { control: "ebs-encryption", address: "aws_ebs_volume.v", files: { "main.tf": `resource "aws_ebs_volume" "v" {\n  availability_zone = "us-east-1a"\n  size              = 40\n}\n` }, contains: ["  encrypted         = true\n"] },
  {
    control: "ec2-imdsv2",
    address: "aws_instance.web",
    files: { "main.tf": `resource "aws_instance" "web" {\n  ami           = "ami-123"\n  instance_type = "t3.micro"\n\n  root_block_device {\n    encrypted = true\n  }\n}\n` },
    contains: ['  metadata_options {\n    http_tokens = "required"\n  }'],
  },
  {
    control: "ec2-imdsv2",
    address: "aws_launch_template.lt",
    files: { "main.tf": `resource "aws_launch_template" "lt" {\n  name = "lt"\n  metadata_options {\n    http_endpoint = "enabled"\n    http_tokens   = "optional"\n  }\n}\n` },
    contains: ['http_tokens   = "required"'],
  },
  { control: "kms-rotation", address: "aws_kms_key.k", files: { "main.tf": `resource "aws_kms_key" "k" {\n  description = "k"\n}\n` }, contains: ["enable_key_rotation = true"] },
  { control: "cloudtrail-log-validation", address: "aws_cloudtrail.t", files: { "main.tf": `resource "aws_cloudtrail" "t" {\n  name           = "t"\n  s3_bucket_name = "trail"\n}\n` }, contains: ["enable_log_file_validation = true"] },
  { control: "cloudtrail-multi-region", address: "aws_cloudtrail.t", files: { "main.tf": `resource "aws_cloudtrail" "t" {\n  name                  = "t"\n  is_multi_region_trail = false\n}\n` }, contains: ["is_multi_region_trail = true"] },
  { control: "dynamodb-pitr", address: "aws_dynamodb_table.t", files: { "main.tf": `resource "aws_dynamodb_table" "t" {\n  name     = "t"\n  hash_key = "id"\n\n  attribute {\n    name = "id"\n    type = "S"\n  }\n}\n` }, contains: ["point_in_time_recovery {\n    enabled = true\n  }"] },
  { control: "dynamodb-pitr", address: "aws_dynamodb_table.t", files: { "main.tf": `resource "aws_dynamodb_table" "t" {\n  name = "t"\n  point_in_time_recovery {\n    enabled = false\n  }\n}\n` }, contains: ["enabled = true"], absent: ["false"] },
  { control: "dynamodb-encryption", address: "aws_dynamodb_table.t", files: { "main.tf": `resource "aws_dynamodb_table" "t" {\n  name = "t"\n}\n` }, contains: ["server_side_encryption {\n    enabled = true\n  }"] },
  { control: "log-group-retention", address: "aws_cloudwatch_log_group.g", files: { "main.tf": `resource "aws_cloudwatch_log_group" "g" {\n  name              = "/app"\n  retention_in_days = 30\n}\n` }, contains: ["retention_in_days = 365"] },
  {
    control: "alb-https-redirect",
    address: "aws_lb_listener.http",
    files: {
      "lb.tf": `resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.main.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}
`,
    },
    contains: ['type = "redirect"', 'protocol    = "HTTPS"', 'status_code = "HTTP_301"'],
    absent: ["forward"],
  },
  // Issue 14 rule bugs: EBS encryption of instance and launch template volumes (CKV_AWS_8).
  {
    control: "ebs-encryption",
    address: "aws_instance.bastion",
    files: {
      "ec2.tf": `resource "aws_instance" "bastion" {
  ami           = var.bastion_ami
  instance_type = "t3.micro"
  subnet_id     = var.public_subnet_id

  tags = merge(local.tags, { Role = "bastion" })
}
`,
    },
    contains: ["  root_block_device {\n    encrypted = true\n  }\n"],
  },
  {
    control: "ebs-encryption",
    address: "aws_instance.worker",
    files: {
      "ec2.tf": `resource "aws_instance" "worker" {
  ami           = data.aws_ami.al2023.id
  instance_type = "m6i.large"

  root_block_device {
    volume_size = 30
    encrypted   = false
  }

  ebs_block_device {
    device_name = "/dev/sdf"
    volume_size = 200
  }
}
`,
    },
    contains: ["volume_size = 30\n    encrypted   = true", "volume_size = 200\n    encrypted   = true"],
    absent: ["false"],
  },
  {
    control: "ebs-encryption",
    address: "aws_launch_template.nodes",
    files: {
      "asg.tf": `resource "aws_launch_template" "nodes" {
  name_prefix   = "\${var.cluster}-nodes-"
  image_id      = var.node_ami
  instance_type = "c6i.xlarge"

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size = 50
      volume_type = "gp3"
    }
  }
}
`,
    },
    contains: ['volume_type = "gp3"\n      encrypted   = true'],
  },
  // Issue 14: Vanta reports the load balancer; the fix goes to its HTTP listener.
  {
    control: "alb-https-redirect",
    address: "aws_lb.public",
    files: {
      "alb.tf": `resource "aws_lb" "public" {
  name               = "\${var.name}-public"
  load_balancer_type = "application"
  subnets            = var.public_subnet_ids
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.public.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.public.arn
  port              = 443
  protocol          = "HTTPS"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}
`,
    },
    contains: ['type = "redirect"', 'status_code = "HTTP_301"', 'protocol          = "HTTPS"\n  certificate_arn'],
  },
  // Issue 14: \`self = "false"\` is no source; the rule that only opened SSH to the world goes.
  {
    control: "sg-ssh-restricted",
    address: "aws_security_group.admin",
    files: {
      "sg.tf": `resource "aws_security_group" "admin" {
  name   = "admin"
  vpc_id = var.vpc_id

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
    self        = "false"
  }

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [var.office_cidr]
  }
}
`,
    },
    contains: ["from_port   = 443"],
    absent: ["0.0.0.0/0", "self", "from_port   = 22"],
  },
  // Issue 14: open to the world and to itself: still open; the fix keeps \`self\`.
  {
    control: "sg-ssh-restricted",
    address: "aws_security_group.cluster",
    files: {
      "sg.tf": `resource "aws_security_group" "cluster" {
  name   = "cluster"
  vpc_id = var.vpc_id

  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    self        = true
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`,
    },
    contains: ["self      = true"],
    absent: ["0.0.0.0/0"],
  },
  {
    control: "iam-password-policy",
    address: "aws_iam_account_password_policy.strict",
    files: { "iam.tf": `resource "aws_iam_account_password_policy" "strict" {\n  minimum_password_length = 8\n  require_symbols         = true\n}\n` },
    contains: ["minimum_password_length = 14", "password_reuse_prevention", "max_password_age"],
  },
];

describe.each(CASES)("$control on $address", (c) => {
  it("fails, is fixed in place, passes after, and a second run changes nothing", async () => {
    const ctx = await contextOf(c.files, c.awsProviderMajor === undefined ? {} : { awsProviderMajor: c.awsProviderMajor });
    const control = controlById(c.control);
    expect(control).toBeDefined();
    expect(control?.check(resource(ctx, c.address), ctx)).toBe("fail");

    const result = generateRuleFix({ controlIds: [c.control], target: resource(ctx, c.address), ctx });
    expect(result.type).toBe("change");
    if (result.type !== "change") return;
    expect(result.change.generator).toBe("rules");
    expect(result.change.confidence).toBe(1);
    const joined = result.change.files.map((f) => f.after).join("\n");
    for (const s of c.contains) expect(joined).toContain(s);
    for (const s of c.absent ?? []) expect(joined).not.toContain(s);

    // The edit stays on the target: every other block that does not refer to it is kept verbatim.
    for (const file of result.change.files) {
      const others = ctx.resources.filter((r) => r.file === file.path && r.address !== c.address);
      const unrelated = others.map((r) => file.before.slice(r.block.span.start, r.block.span.end)).filter((text) => !text.includes(c.address));
      expect(unrelated.filter((text) => !file.after.includes(text))).toEqual([]);
    }
    const fixedFiles = { ...c.files };
    for (const file of result.change.files) fixedFiles[file.path] = file.after;
    const fixed = await contextOf(fixedFiles, c.awsProviderMajor === undefined ? {} : { awsProviderMajor: c.awsProviderMajor });
    if (c.removes === true) expect(fixed.resources.map((r) => r.address)).not.toContain(c.address);
    else {
      const target = resource(fixed, c.address);
      expect(control?.check(target, fixed)).toBe("pass");
      expect(generateRuleFix({ controlIds: [c.control], target, ctx: fixed }).type).toBe("already-compliant");
    }

    const report = await verifyChange(
      { change: result.change, controlIds: [c.control], targetAddress: c.address, files: ctx.files, ...(c.awsProviderMajor === undefined ? {} : { awsProviderMajor: c.awsProviderMajor }) },
      formatter === undefined ? {} : { formatter },
    );
    expect(report.checks.filter((k) => k.status === "fail")).toEqual([]);
    expect(report.passed).toBe(true);
  });

  it.skipIf(formatter === undefined)("writes files terraform fmt leaves as they are (needs terraform on PATH)", async () => {
    const ctx = await contextOf(c.files, c.awsProviderMajor === undefined ? {} : { awsProviderMajor: c.awsProviderMajor });
    const result = generateRuleFix({ controlIds: [c.control], target: resource(ctx, c.address), ctx });
    const files = result.type === "change" ? result.change.files : [];
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(await formatter?.(file.after)).toBe(file.after);
  });
});
