import type { ScenarioTest } from "../fakes/vanta-scenario.js";

/**
 * A deliberately weak AWS root module in the idioms of public vulnerable-by-design corpora
 * (written here, not copied): names built from `data.aws_caller_identity` and a locals map,
 * v3 inline S3 blocks beside a v4 split `aws_s3_bucket_versioning`, `count`, no provider pin, and
 * a log group whose retention comes from a variable (its fix belongs in the variable's default).
 * `LEGACY_FILES` hold 0.11-style interpolation-only strings that `terraform fmt` rewrites; every
 * other file is fmt-clean, so a fix written into it must leave it fmt-clean.
 * Account 123456789012, company acme, environment dev: names read `123456789012-acme-dev-*`.
 */
export const LEGACY_FILES: ReadonlySet<string> = new Set(["legacy.tf"]);

export function goatRepo(): Record<string, string> {
  return {
    "consts.tf": `data "aws_caller_identity" "current" {}

variable "company" {
  type    = string
  default = "acme"
}

variable "environment" {
  type    = string
  default = "dev"
}

variable "region" {
  type    = string
  default = "us-west-2"
}

variable "log_retention_days" {
  type    = number
  default = 14
}

variable "ami" {
  type    = string
  default = "ami-0a1b2c3d4e5f67890"
}

locals {
  resource_prefix = {
    value = "\${data.aws_caller_identity.current.account_id}-\${var.company}-\${var.environment}"
  }
}
`,
    "providers.tf": `provider "aws" {
  region = var.region
}
`,
    "s3.tf": `resource "aws_s3_bucket" "data" {
  # v3 style: configuration blocks inside the bucket
  bucket        = "\${local.resource_prefix.value}-data"
  force_destroy = true

  versioning {
    enabled = false
  }

  tags = {
    Name        = "\${local.resource_prefix.value}-data"
    Environment = var.environment
  }
}

resource "aws_s3_bucket" "reports" {
  bucket = "\${local.resource_prefix.value}-reports"
}

# v4 style: a separate versioning resource, suspended
resource "aws_s3_bucket_versioning" "reports" {
  bucket = aws_s3_bucket.reports.id

  versioning_configuration {
    status = "Suspended"
  }
}

resource "aws_s3_bucket" "archive" {
  count  = 2
  bucket = "\${local.resource_prefix.value}-archive-\${count.index}"
}
`,
    "legacy.tf": `resource "aws_s3_bucket" "logs" {
  bucket = "\${local.resource_prefix.value}-logs"
  acl    = "log-delivery-write"
}

resource "aws_s3_bucket" "operations" {
  bucket = "\${local.resource_prefix.value}-operations"
  acl    = "private"

  logging {
    target_bucket = "\${aws_s3_bucket.logs.id}"
    target_prefix = "log/"
  }
}

resource "aws_instance" "db_app" {
  ami           = "\${var.ami}"
  instance_type = "t2.micro"

  tags = {
    Name = "\${local.resource_prefix.value}-dbapp"
  }
}
`,
    "ec2.tf": `resource "aws_instance" "web_host" {
  ami                    = var.ami
  instance_type          = "t2.nano"
  vpc_security_group_ids = [aws_security_group.web_node.id]

  tags = {
    Name = "\${local.resource_prefix.value}-ec2"
  }
}

resource "aws_ebs_volume" "web_host_storage" {
  availability_zone = "\${var.region}a"
  size              = 1

  tags = {
    Name = "\${local.resource_prefix.value}-ebs"
  }
}

resource "aws_security_group" "web_node" {
  name        = "\${local.resource_prefix.value}-sg"
  description = "\${local.resource_prefix.value} Security Group"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "remote" {
  name = "\${local.resource_prefix.value}-rdp-sg"
}

resource "aws_security_group_rule" "rdp" {
  type              = "ingress"
  security_group_id = aws_security_group.remote.id
  from_port         = 3389
  to_port           = 3389
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}
`,
    "db.tf": `resource "aws_db_instance" "default" {
  identifier          = "rds-\${local.resource_prefix.value}"
  engine              = "mysql"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  username            = "admin"
  publicly_accessible = true
  skip_final_snapshot = true
}

resource "aws_dynamodb_table" "events" {
  name     = "\${local.resource_prefix.value}-events"
  hash_key = "id"

  attribute {
    name = "id"
    type = "S"
  }
}
`,
    "logging.tf": `resource "aws_kms_key" "logs_key" {
  description             = "\${local.resource_prefix.value}-logs bucket key"
  deletion_window_in_days = 7
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/\${local.resource_prefix.value}/app"
  retention_in_days = var.log_retention_days
}

resource "aws_cloudtrail" "main" {
  name           = "\${local.resource_prefix.value}-trail"
  s3_bucket_name = aws_s3_bucket.logs.id
}
`,
    "lb.tf": `resource "aws_lb" "web" {
  name               = "\${var.company}-\${var.environment}-web"
  load_balancer_type = "application"
}

resource "aws_lb_target_group" "web" {
  name     = "\${var.company}-\${var.environment}-web"
  port     = 80
  protocol = "HTTP"
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}
`,
  };
}

/** The repository with CRLF line endings and, optionally, a UTF-8 BOM on every file. */
export function goatRepoAs(options: { crlf?: boolean; bom?: boolean }): Record<string, string> {
  return Object.fromEntries(
    Object.entries(goatRepo()).map(([path, text]) => [path, `${options.bom === true ? "\uFEFF" : ""}${options.crlf === true ? text.replace(/\n/g, "\r\n") : text}`]),
  );
}

const PREFIX = "123456789012-acme-dev";

function entity(n: number, displayName: string, responseType: string): Record<string, unknown> {
  return { id: n.toString(16).padStart(24, "0"), displayName, responseType };
}

/**
 * Vanta failures for the repository, as Vanta reports them (displayName + responseType, no ARN).
 * `fixable` counts the failures TerraFix can fix with rules; the last one names a bucket nobody
 * defines, which must end `no-match` without a pull request.
 */
export function goatScenario(): { tests: ScenarioTest[]; fixable: number } {
  let n = 1;
  const tests: ScenarioTest[] = [
    {
      id: "aws-s3-public-access-blocked",
      name: "S3 buckets block public access",
      entities: [`${PREFIX}-data`, `${PREFIX}-reports`, `${PREFIX}-archive-1`, `${PREFIX}-operations`, `${PREFIX}-backups`].map((name) => entity(n++, name, "S3 bucket")),
    },
    { id: "logs-centrally-stored-config", name: "S3 server access logging", entities: [entity(n++, `${PREFIX}-reports`, "S3 bucket"), entity(n++, `${PREFIX}-data`, "S3 bucket")] },
    { id: "infra-ec2instances-imdsv1-disabled", name: "EC2 instances require IMDSv2", entities: [entity(n++, `${PREFIX}-ec2`, "EC2 instance"), entity(n++, `${PREFIX}-dbapp`, "EC2 instance")] },
    { id: "firewall-config-server", name: "Security groups restrict SSH", entities: [entity(n++, `${PREFIX}-sg`, "Security group")] },
    { id: "aws-rds-multi-az-redundancy", name: "RDS instances are multi-AZ", entities: [entity(n++, `rds-${PREFIX}`, "RDS instance")] },
    { id: "mysql-database-ports-restricted", name: "Databases are not public", entities: [entity(n++, `rds-${PREFIX}`, "RDS instance")] },
    { id: "aws-dynamodb-pitr-backups", name: "DynamoDB point-in-time recovery", entities: [entity(n++, `${PREFIX}-events`, "DynamoDB table")] },
    { id: "logs-retained-for-twelve-months-config", name: "Logs are retained for twelve months", entities: [entity(n++, `/${PREFIX}/app`, "CloudWatch log group")] },
    { id: "infra-activity-tracked-config", name: "CloudTrail logs every region", entities: [entity(n++, `${PREFIX}-trail`, "CloudTrail trail")] },
  ];
  const total = tests.reduce((sum, t) => sum + (t.entities?.length ?? 0), 0);
  return { tests, fixable: total - 1 };
}
