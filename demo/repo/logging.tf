resource "aws_cloudtrail" "org" {
  name                          = "${local.prefix}-org-trail"
  s3_bucket_name                = aws_s3_bucket.logs.id
  include_global_service_events = true
  kms_key_id                    = aws_kms_key.app.arn
  tags                          = local.common_tags
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/acme/${var.env}/app"
  retention_in_days = 30
  kms_key_id        = aws_kms_key.app.arn
  tags              = local.common_tags
}
