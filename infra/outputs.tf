output "ecr_repository_url" {
  description = "Push the TerraFix image here (docker tag terrafix:TAG <url>:TAG)."
  value       = aws_ecr_repository.this.repository_url
}

output "cluster_name" {
  description = "ECS cluster name."
  value       = aws_ecs_cluster.this.name
}

output "service_name" {
  description = "ECS service name."
  value       = aws_ecs_service.this.name
}

output "task_definition_arn" {
  description = "ARN (with revision) of the TerraFix task definition."
  value       = aws_ecs_task_definition.this.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the TerraFix container."
  value       = aws_cloudwatch_log_group.this.name
}

output "alarm_topic_arn" {
  description = "SNS topic receiving the alarms and task-stopped events; subscribe your on-call tooling."
  value       = aws_sns_topic.alarms.arn
}

output "vanta_secret_arn" {
  description = "Secrets Manager secret to fill with {\"client_id\",\"client_secret\"} of the Vanta application."
  value       = aws_secretsmanager_secret.vanta.arn
}

output "github_secret_arn" {
  description = "Secrets Manager secret to fill with the GitHub App ({\"app_id\",\"installation_id\",\"private_key\"}) or PAT ({\"token\"}) credentials."
  value       = aws_secretsmanager_secret.github.arn
}

output "task_role_arn" {
  description = "Task role (bedrock:InvokeModel on the configured inference profile only)."
  value       = aws_iam_role.task.arn
}

output "execution_role_arn" {
  description = "Execution role (image pull, logs, secrets)."
  value       = aws_iam_role.execution.arn
}

output "security_group_id" {
  description = "Security group of the tasks (egress only)."
  value       = aws_security_group.task.id
}

output "kms_key_arn" {
  description = "Customer-managed KMS key encrypting the repository, secrets, logs, topic and database."
  value       = aws_kms_key.this.arn
}

output "db_endpoint" {
  description = "Address of the RDS PostgreSQL state store (null when enable_rds is false)."
  value       = var.enable_rds ? aws_db_instance.this[0].address : null
}

output "db_master_secret_arn" {
  description = "Secrets Manager secret RDS manages for the database master password (null when enable_rds is false)."
  value       = var.enable_rds ? aws_db_instance.this[0].master_user_secret[0].secret_arn : null
}

output "dry_run_command" {
  description = "AWS CLI command that runs one `terrafix process-once --dry-run` task with the service's network settings."
  value = join(" ", [
    "aws ecs run-task --region ${var.region}",
    "--cluster ${aws_ecs_cluster.this.name}",
    "--task-definition ${aws_ecs_task_definition.this.arn}",
    "--launch-type FARGATE --platform-version LATEST",
    "--network-configuration 'awsvpcConfiguration={subnets=[${join(",", var.private_subnet_ids)}],securityGroups=[${aws_security_group.task.id}],assignPublicIp=DISABLED}'",
    "--overrides '{\"containerOverrides\":[{\"name\":\"${local.container_name}\",\"command\":[\"process-once\",\"--dry-run\",\"--limit\",\"5\"]}]}'",
  ])
}
