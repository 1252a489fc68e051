locals {
  account_id       = data.aws_caller_identity.current.account_id
  partition        = data.aws_partition.current.partition
  metric_namespace = "TerraFix/${var.name}"
  container_name   = "terrafix"

  # What the task role may invoke (infra/iam.tf). Both the profile and the foundation model are
  # checked (services.md §1.1). A geo profile needs the model ARN in each destination region; a
  # global profile needs the model ARN in the source region and the region-less model ARN
  # (arn:aws:bedrock:::foundation-model/...), which Bedrock checks with aws:RequestedRegion =
  # "unspecified" for requests routed worldwide:
  # https://docs.aws.amazon.com/bedrock/latest/userguide/global-cross-region-inference.html
  bedrock_is_global             = startswith(var.bedrock_model_id, "global.")
  bedrock_foundation_model_id   = regex("^[a-z]+\\.(.+)$", var.bedrock_model_id)[0]
  bedrock_model_regions         = local.bedrock_is_global ? [var.bedrock_region] : var.bedrock_destination_regions
  bedrock_inference_profile_arn = "arn:${local.partition}:bedrock:${var.bedrock_region}:${local.account_id}:inference-profile/${var.bedrock_model_id}"
  bedrock_foundation_model_arns = [for region in local.bedrock_model_regions : "arn:${local.partition}:bedrock:${region}::foundation-model/${local.bedrock_foundation_model_id}"]
  bedrock_global_model_arns     = local.bedrock_is_global ? ["arn:${local.partition}:bedrock:::foundation-model/${local.bedrock_foundation_model_id}"] : []

  # The RDS CA bundle is baked into the image (Dockerfile, tools stage); verify-full checks the
  # server certificate and host name. The password comes from PGPASSWORD, which node-postgres
  # reads when the URL has none, so the URL itself holds no secret.
  rds_state_url = var.enable_rds ? "postgres://${var.db_username}@${aws_db_instance.this[0].address}:${aws_db_instance.this[0].port}/${var.db_name}?sslmode=verify-full&sslrootcert=/app/certs/rds-global-bundle.pem" : ""

  # Container environment: TerraFix option names only (src/config/options.ts).
  environment = {
    TERRAFIX_REPOSITORIES           = join(",", var.repositories)
    TERRAFIX_SOURCE                 = "vanta"
    TERRAFIX_PUBLISHER              = var.publisher
    TERRAFIX_STATE_URL              = var.enable_rds ? local.rds_state_url : "/app/data/terrafix.db"
    TERRAFIX_WORK_DIR               = "/app/data/repos"
    TERRAFIX_DRY_RUN_DIR            = "/app/data/dry-run"
    TERRAFIX_CLONE_CACHE_MAX_MB     = tostring(var.clone_cache_max_mb)
    TERRAFIX_GIT_URL_TEMPLATE       = var.git_url_template
    TERRAFIX_CONCURRENCY            = tostring(var.concurrency)
    TERRAFIX_POLL_INTERVAL          = tostring(var.poll_interval_seconds)
    TERRAFIX_HTTP_PORT              = "8080"
    TERRAFIX_SHUTDOWN_GRACE_SECONDS = "90"
    TERRAFIX_TERRAFORM_BIN          = "/usr/local/bin/terraform"
    VANTA_API_URL                   = var.vanta_api_url
    GITHUB_API_URL                  = var.github_api_url
    BEDROCK_MODEL_ID                = var.bedrock_model_id
    AWS_REGION                      = var.bedrock_region
    LOG_LEVEL                       = var.log_level
    LOG_FORMAT                      = "json"
  }

  container_environment = [for name, value in merge(local.environment, var.additional_environment) : { name = name, value = value }]

  # Secrets the ECS agent injects as environment variables (name => JSON key of a secret).
  # PGPASSWORD is not a TerraFix option: node-postgres itself reads it (libpq convention).
  secrets = {
    VANTA_CLIENT_ID            = "${aws_secretsmanager_secret.vanta.arn}:client_id::"
    VANTA_CLIENT_SECRET        = "${aws_secretsmanager_secret.vanta.arn}:client_secret::"
    GITHUB_TOKEN               = "${aws_secretsmanager_secret.github.arn}:token::"
    GITHUB_APP_ID              = "${aws_secretsmanager_secret.github.arn}:app_id::"
    GITHUB_APP_INSTALLATION_ID = "${aws_secretsmanager_secret.github.arn}:installation_id::"
    GITHUB_APP_PRIVATE_KEY     = "${aws_secretsmanager_secret.github.arn}:private_key::"
    PGPASSWORD                 = var.enable_rds ? "${aws_db_instance.this[0].master_user_secret[0].secret_arn}:password::" : ""
  }

  # ECS refuses to start a task when a referenced JSON key is missing, so only the keys the
  # chosen auth method puts in the secret are referenced.
  secret_names = concat(
    ["VANTA_CLIENT_ID", "VANTA_CLIENT_SECRET"],
    var.github_auth == "app" ? ["GITHUB_APP_ID", "GITHUB_APP_INSTALLATION_ID", "GITHUB_APP_PRIVATE_KEY"] : ["GITHUB_TOKEN"],
    var.enable_rds ? ["PGPASSWORD"] : [],
  )

  container_secrets = [for name in local.secret_names : { name = name, valueFrom = local.secrets[name] }]

  # Secrets the execution role may read.
  readable_secret_arns = concat(
    [aws_secretsmanager_secret.vanta.arn, aws_secretsmanager_secret.github.arn],
    var.enable_rds ? [aws_db_instance.this[0].master_user_secret[0].secret_arn] : [],
  )

  # Probes /healthz with node (the slim image has no curl); same as the Dockerfile HEALTHCHECK.
  health_command = "fetch('http://127.0.0.1:'+(process.env.TERRAFIX_HTTP_PORT||'8080')+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
}
