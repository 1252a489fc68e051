# The credentials live only in Secrets Manager. Terraform creates the empty secrets; their values
# are put out of band (DEPLOYMENT_GUIDE.md, "Put the secret values"), so they never enter the
# Terraform state. The ECS agent reads single JSON keys from them (`<arn>:<key>::`).
#
# Automatic rotation is not configured: the Vanta client secret and the GitHub App key are
# issued by Vanta and GitHub, which Secrets Manager cannot rotate; rotate them by hand (guide,
# "Rotating credentials") and force a new deployment.

# {"client_id": "...", "client_secret": "..."}
resource "aws_secretsmanager_secret" "vanta" {
  name                    = "${var.name}/vanta"
  description             = "TerraFix Vanta OAuth application (read scope): JSON with client_id and client_secret"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = 30

  tags = { Name = "${var.name}-vanta" }
}

# App:   {"app_id": "...", "installation_id": "...", "private_key": "-----BEGIN RSA PRIVATE KEY-----\n..."}
# Token: {"token": "github_pat_..."}
resource "aws_secretsmanager_secret" "github" {
  name                    = "${var.name}/github"
  description             = "TerraFix GitHub credentials: JSON with app_id, installation_id and private_key (GitHub App) or token (PAT)"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = 30

  tags = { Name = "${var.name}-github" }
}
