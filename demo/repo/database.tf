resource "aws_db_instance" "main" {
  identifier                  = "${local.prefix}-db"
  engine                      = "postgres"
  engine_version              = "16.3"
  instance_class              = "db.t4g.medium"
  allocated_storage           = 50
  storage_encrypted           = true
  kms_key_id                  = aws_kms_key.app.arn
  username                    = "app"
  manage_master_user_password = true
  backup_retention_period     = 14
  deletion_protection         = true
  skip_final_snapshot         = false
  tags                        = local.common_tags
}

resource "aws_db_instance" "reporting" {
  identifier                  = "${local.prefix}-reporting"
  engine                      = "mysql"
  engine_version              = "8.0"
  instance_class              = "db.t4g.small"
  allocated_storage           = 20
  storage_encrypted           = true
  username                    = "report"
  manage_master_user_password = true
  backup_retention_period     = 7
  deletion_protection         = true
  multi_az                    = true
  publicly_accessible         = true
  tags                        = local.common_tags
}

resource "aws_dynamodb_table" "sessions" {
  name         = "${local.prefix}-sessions"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"

  attribute {
    name = "id"
    type = "S"
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.app.arn
  }

  tags = local.common_tags
}
