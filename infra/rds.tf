# Optional PostgreSQL state store, for several replicas (enable_rds). Private, encrypted with the
# CMK, Multi-AZ by default, IAM authentication on, master password generated and rotated by RDS
# in Secrets Manager (never in Terraform state), TLS required.

resource "aws_security_group" "db" {
  count = var.enable_rds ? 1 : 0

  name        = "${var.name}-db"
  description = "TerraFix state database: PostgreSQL from the TerraFix tasks only; no egress"
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name}-db" }
}

resource "aws_vpc_security_group_ingress_rule" "db_from_task" {
  count = var.enable_rds ? 1 : 0

  security_group_id            = aws_security_group.db[0].id
  description                  = "PostgreSQL from the TerraFix tasks"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.task.id

  tags = { Name = "${var.name}-db-from-task" }
}

resource "aws_db_subnet_group" "this" {
  count = var.enable_rds ? 1 : 0

  name        = "${var.name}-db"
  description = "TerraFix state database: private subnets"
  subnet_ids  = var.private_subnet_ids

  tags = { Name = "${var.name}-db" }
}

resource "aws_db_parameter_group" "this" {
  count = var.enable_rds ? 1 : 0

  name        = "${var.name}-postgres${var.db_engine_version}"
  family      = "postgres${var.db_engine_version}"
  description = "TerraFix state database: TLS only, connection and query logging"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_connections"
    value = "1"
  }

  parameter {
    name  = "log_disconnections"
    value = "1"
  }

  # Query logging (schema changes and statements slower than a second).
  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }

  tags = { Name = "${var.name}-db" }
}

# Log groups of the exported database logs, created here so they get retention and encryption.
resource "aws_cloudwatch_log_group" "db" {
  for_each = var.enable_rds ? toset(["postgresql", "upgrade"]) : toset([])

  name              = "/aws/rds/instance/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn

  tags = { Name = "${var.name}-db-${each.key}" }
}

data "aws_iam_policy_document" "rds_monitoring_assume" {
  statement {
    sid     = "RdsMonitoringAssume"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "rds_monitoring" {
  count = var.enable_rds ? 1 : 0

  name               = "${var.name}-rds-monitoring"
  description        = "RDS Enhanced Monitoring of the TerraFix state database"
  assume_role_policy = data.aws_iam_policy_document.rds_monitoring_assume.json
}

resource "aws_iam_role_policy_attachment" "rds_monitoring" {
  count = var.enable_rds ? 1 : 0

  role       = aws_iam_role.rds_monitoring[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_db_instance" "this" {
  count = var.enable_rds ? 1 : 0

  identifier     = var.name
  engine         = "postgres"
  engine_version = var.db_engine_version
  instance_class = var.db_instance_class
  db_name        = var.db_name
  username       = var.db_username

  manage_master_user_password   = true
  master_user_secret_kms_key_id = aws_kms_key.this.arn

  allocated_storage     = var.db_allocated_storage_gib
  max_allocated_storage = var.db_max_allocated_storage_gib
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = aws_kms_key.this.arn

  multi_az               = var.db_multi_az
  db_subnet_group_name   = aws_db_subnet_group.this[0].name
  vpc_security_group_ids = [aws_security_group.db[0].id]
  publicly_accessible    = false
  parameter_group_name   = aws_db_parameter_group.this[0].name
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  iam_database_authentication_enabled = true

  backup_retention_period   = var.db_backup_retention_days
  copy_tags_to_snapshot     = true
  deletion_protection       = true
  skip_final_snapshot       = false
  final_snapshot_identifier = "${var.name}-final"

  auto_minor_version_upgrade  = true
  allow_major_version_upgrade = false

  enabled_cloudwatch_logs_exports       = ["postgresql", "upgrade"]
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.this.arn
  performance_insights_retention_period = 7
  monitoring_interval                   = 60
  monitoring_role_arn                   = aws_iam_role.rds_monitoring[0].arn

  tags = { Name = "${var.name}-db" }

  depends_on = [aws_cloudwatch_log_group.db, aws_iam_role_policy_attachment.rds_monitoring]
}

# RDS rotates the managed master password (every 7 days unless told otherwise). The task reads it
# once, at start (ECS injects PGPASSWORD), so after a rotation new connections fail until the
# tasks are replaced: rotate on a known schedule and roll the service afterwards (guide,
# "Database password rotation").
resource "aws_secretsmanager_secret_rotation" "db_master" {
  count = var.enable_rds ? 1 : 0

  secret_id = aws_db_instance.this[0].master_user_secret[0].secret_arn

  rotation_rules {
    schedule_expression = "rate(${var.db_password_rotation_days} days)"
  }
}
