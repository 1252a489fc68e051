# ---------------------------------------------------------------------------------------------
# Placement
# ---------------------------------------------------------------------------------------------
variable "name" {
  description = "Name prefix of every resource (cluster, service, log group, secrets, repository)."
  type        = string
  default     = "terrafix"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "region" {
  description = "AWS region where TerraFix runs (ECS, ECR, Secrets Manager, CloudWatch, RDS)."
  type        = string
  default     = "us-east-1"
}

variable "vpc_id" {
  description = "VPC of the ECS tasks (and of the RDS instance when enabled)."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets (at least two, in different AZs, for RDS) with a NAT gateway or VPC endpoints: tasks get no public IP and need outbound HTTPS to Vanta, GitHub, Bedrock, ECR and CloudWatch."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 1
    error_message = "private_subnet_ids needs at least one subnet (two in different AZs when enable_rds is true)."
  }
}

variable "tags" {
  description = "Extra tags on every resource."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------------------------------------
# Service
# ---------------------------------------------------------------------------------------------
variable "image_tag" {
  description = "Tag of the TerraFix image in the ECR repository this module creates (tags are immutable: use a release or commit id, never latest)."
  type        = string
}

variable "desired_count" {
  description = "Number of TerraFix tasks. More than 1 requires enable_rds (replicas share PostgreSQL state and elect one Vanta poller); 0 stops the service."
  type        = number
  default     = 1

  validation {
    condition     = var.desired_count >= 0 && var.desired_count <= 10 && floor(var.desired_count) == var.desired_count
    error_message = "desired_count must be a whole number from 0 to 10."
  }
}

variable "cpu" {
  description = "Fargate task CPU units (1024 = 1 vCPU). Must be a valid Fargate CPU/memory pair."
  type        = number
  default     = 1024
}

variable "memory" {
  description = "Fargate task memory in MiB. Must be a valid Fargate CPU/memory pair."
  type        = number
  default     = 2048
}

variable "cpu_architecture" {
  description = "CPU architecture of the task: X86_64 or ARM64 (build the image for the same one)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "ephemeral_storage_gib" {
  description = "Fargate task storage in GiB (21-200), encrypted by AWS. Holds the clone cache, the SQLite state (one replica without RDS) and scratch files."
  type        = number
  default     = 30

  validation {
    condition     = var.ephemeral_storage_gib >= 21 && var.ephemeral_storage_gib <= 200
    error_message = "ephemeral_storage_gib must be between 21 and 200."
  }
}

variable "clone_cache_max_mb" {
  description = "TERRAFIX_CLONE_CACHE_MAX_MB: size bound of the clone cache; keep it well below ephemeral_storage_gib."
  type        = number
  default     = 8192
}

# ---------------------------------------------------------------------------------------------
# TerraFix options (environment of the container; see README's configuration table)
# ---------------------------------------------------------------------------------------------
variable "repositories" {
  description = "TERRAFIX_REPOSITORIES: repositories holding the Terraform, as owner/name or owner/name:path/inside."
  type        = list(string)
}

variable "github_auth" {
  description = "How TerraFix authenticates to GitHub: app (GitHub App installation, recommended) or token (a PAT). Selects which keys of the GitHub secret the task reads."
  type        = string
  default     = "app"

  validation {
    condition     = contains(["app", "token"], var.github_auth)
    error_message = "github_auth must be app or token."
  }
}

variable "github_api_url" {
  description = "GITHUB_API_URL: GitHub REST API base URL (GitHub Enterprise Server: https://HOST/api/v3)."
  type        = string
  default     = "https://api.github.com"
}

variable "git_url_template" {
  description = "TERRAFIX_GIT_URL_TEMPLATE: clone URL template with {owner} and {repo}."
  type        = string
  default     = "https://github.com/{owner}/{repo}.git"
}

variable "vanta_api_url" {
  description = "VANTA_API_URL: Vanta API host (https://api.vanta-gov.com for US gov cloud)."
  type        = string
  default     = "https://api.vanta.com"
}

variable "publisher" {
  description = "TERRAFIX_PUBLISHER: github (open pull requests) or dry-run (write would-be PRs under /app/data/dry-run only)."
  type        = string
  default     = "github"

  validation {
    condition     = contains(["github", "dry-run"], var.publisher)
    error_message = "publisher must be github or dry-run on ECS."
  }
}

variable "bedrock_model_id" {
  description = "BEDROCK_MODEL_ID: the inference profile TerraFix calls, a model of its catalogue. The global profile (default) routes to any commercial region and costs about 10% less; a geo profile (us., eu., jp., au., apac.) keeps requests in that geography."
  type        = string
  default     = "global.anthropic.claude-sonnet-5-5"

  validation {
    condition     = can(regex("^(global|us|eu|jp|au|apac)\\.anthropic\\.[a-z0-9.:-]+$", var.bedrock_model_id))
    error_message = "bedrock_model_id must be a system inference profile id such as global.anthropic.claude-sonnet-5-5 or us.anthropic.claude-sonnet-5-5 (a base id cannot be called on demand)."
  }
}

variable "bedrock_region" {
  description = "AWS_REGION of the Bedrock endpoint TerraFix calls (the source region of the inference profile)."
  type        = string
  default     = "us-east-1"
}

variable "bedrock_destination_regions" {
  description = "Geo profiles only: the regions the profile routes to; the foundation model ARN is allowed in each. The US geo profile from us-east-1 routes to us-east-1, us-east-2 and us-west-2. Ignored for a global profile, whose destinations are authorised by the region-less foundation-model ARN."
  type        = list(string)
  default     = ["us-east-1", "us-east-2", "us-west-2"]

  validation {
    condition     = length(var.bedrock_destination_regions) > 0 && alltrue([for r in var.bedrock_destination_regions : can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", r))])
    error_message = "bedrock_destination_regions must be a non-empty list of region names (no wildcards)."
  }
}

variable "concurrency" {
  description = "TERRAFIX_CONCURRENCY: worker pool size per task."
  type        = number
  default     = 4
}

variable "poll_interval_seconds" {
  description = "TERRAFIX_POLL_INTERVAL: seconds between Vanta polls."
  type        = number
  default     = 300
}

variable "log_level" {
  description = "LOG_LEVEL of the daemon (trace, debug, info, warn, error)."
  type        = string
  default     = "info"
}

variable "additional_environment" {
  description = "Further TerraFix options as environment variables (name => value), e.g. { VANTA_FRAMEWORK_FILTER = \"soc2\", TERRAFIX_PR_REVIEWERS = \"alice\" }. Never put secrets here; names must be TerraFix option names."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.additional_environment) : can(regex("^(TERRAFIX_|VANTA_|GITHUB_API_URL$|BEDROCK_|LOG_)", k)) && !contains(["VANTA_CLIENT_ID", "VANTA_CLIENT_SECRET", "GITHUB_TOKEN", "GITHUB_APP_PRIVATE_KEY"], k)])
    error_message = "additional_environment takes TerraFix option names only, never the credentials (those come from Secrets Manager)."
  }
}

# ---------------------------------------------------------------------------------------------
# Observability
# ---------------------------------------------------------------------------------------------
variable "log_retention_days" {
  description = "Retention of the CloudWatch log groups in days (at least a year, for audit)."
  type        = number
  default     = 365

  validation {
    condition     = contains([365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch retention value of at least 365."
  }
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic (each must confirm the subscription)."
  type        = list(string)
  default     = []
}

variable "no_poll_alarm_minutes" {
  description = "Alarm when no successful Vanta poll was logged for this many minutes (keep it above the poll interval plus jitter)."
  type        = number
  default     = 30

  validation {
    condition     = var.no_poll_alarm_minutes >= 5 && var.no_poll_alarm_minutes <= 1440 && floor(var.no_poll_alarm_minutes) == var.no_poll_alarm_minutes
    error_message = "no_poll_alarm_minutes must be a whole number from 5 to 1440."
  }
}

variable "job_failure_rate_threshold_percent" {
  description = "Alarm when more than this percentage of the jobs finished in an hour ended failed."
  type        = number
  default     = 25
}

variable "task_restart_threshold" {
  description = "Alarm when this many tasks stopped unexpectedly (essential container exited or failed to start) within an hour."
  type        = number
  default     = 2
}

variable "job_finished_filter_pattern" {
  description = "CloudWatch Logs filter pattern of the daemon's \"job finished\" line (every finished job)."
  type        = string
  default     = "{ $.msg = \"job finished\" }"
}

variable "job_failed_filter_pattern" {
  description = "CloudWatch Logs filter pattern of a \"job finished\" line whose outcome is failed (outcome as a string or as an object with a type)."
  type        = string
  default     = "{ ($.msg = \"job finished\") && (($.outcome = \"failed\") || ($.outcome.type = \"failed\")) }"
}

variable "poll_success_filter_pattern" {
  description = "CloudWatch Logs filter pattern of the daemon's \"poll finished\" line, logged only when a poll succeeded (a failed poll logs \"poll failed\")."
  type        = string
  default     = "{ $.msg = \"poll finished\" }"
}

# ---------------------------------------------------------------------------------------------
# Optional PostgreSQL state store (several replicas)
# ---------------------------------------------------------------------------------------------
variable "enable_rds" {
  description = "Create an encrypted private RDS PostgreSQL instance and use it as TERRAFIX_STATE_URL (needed for desired_count > 1). Without it each task keeps SQLite on its task storage."
  type        = bool
  default     = false
}

variable "db_instance_class" {
  description = "RDS instance class (Performance Insights is enabled, so avoid micro/small classes)."
  type        = string
  default     = "db.t4g.medium"
}

variable "db_engine_version" {
  description = "PostgreSQL major version (minor versions upgrade automatically in the maintenance window)."
  type        = string
  default     = "16"
}

variable "db_multi_az" {
  description = "Run RDS Multi-AZ (a standby in another AZ)."
  type        = bool
  default     = true
}

variable "db_allocated_storage_gib" {
  description = "Initial RDS storage in GiB (gp3)."
  type        = number
  default     = 20
}

variable "db_max_allocated_storage_gib" {
  description = "Storage autoscaling ceiling in GiB."
  type        = number
  default     = 100
}

variable "db_backup_retention_days" {
  description = "Days of automated RDS backups (7-35)."
  type        = number
  default     = 14

  validation {
    condition     = var.db_backup_retention_days >= 7 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days must be between 7 and 35."
  }
}

variable "db_username" {
  description = "Master user name of the TerraFix database (its password is generated and rotated by RDS in Secrets Manager)."
  type        = string
  default     = "terrafix"
}

variable "db_name" {
  description = "Database name."
  type        = string
  default     = "terrafix"
}

variable "db_password_rotation_days" {
  description = "Days between rotations of the RDS-managed master password. Running tasks keep the old password, so roll the service after each rotation (DEPLOYMENT_GUIDE.md)."
  type        = number
  default     = 30

  validation {
    condition     = var.db_password_rotation_days >= 1 && var.db_password_rotation_days <= 365 && floor(var.db_password_rotation_days) == var.db_password_rotation_days
    error_message = "db_password_rotation_days must be a whole number from 1 to 365."
  }
}
