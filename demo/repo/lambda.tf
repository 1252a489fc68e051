module "resizer" {
  source = "./modules/app"

  name        = "${local.prefix}-image-resizer"
  bucket_name = aws_s3_bucket.uploads.id
  tags        = local.common_tags
}
