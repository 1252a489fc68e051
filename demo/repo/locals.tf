locals {
  prefix = "acme-${var.env}"

  common_tags = {
    Team      = "platform"
    ManagedBy = "terraform"
  }
}
