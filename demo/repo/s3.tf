# Central log bucket: every other bucket ships its access logs here.
resource "aws_s3_bucket" "logs" {
  bucket = "${local.prefix}-logs"
  tags   = merge(local.common_tags, { Name = "${local.prefix}-logs" })
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# Static assets served through CloudFront.
resource "aws_s3_bucket" "assets" {
  bucket = "${local.prefix}-assets"
  tags   = merge(local.common_tags, { Name = "${local.prefix}-assets" })
}

resource "aws_s3_bucket_versioning" "assets" {
  bucket = aws_s3_bucket.assets.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_logging" "assets" {
  bucket        = aws_s3_bucket.assets.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3/assets/"
}

# Customer uploads (images before resizing).
resource "aws_s3_bucket" "uploads" {
  bucket = "${local.prefix}-uploads"
  tags   = merge(local.common_tags, { Name = "${local.prefix}-uploads" })
}

resource "aws_s3_bucket_public_access_block" "uploads" {
  bucket                  = aws_s3_bucket.uploads.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
