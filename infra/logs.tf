resource "aws_cloudwatch_log_group" "this" {
  name              = "/ecs/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn

  tags = { Name = var.name }
}

# Log-based metrics. The daemon logs one JSON line per finished job ("job finished", with the
# outcome) and one per poll; the patterns are variables so they can follow the log format.
resource "aws_cloudwatch_log_metric_filter" "jobs_finished" {
  name           = "${var.name}-jobs-finished"
  log_group_name = aws_cloudwatch_log_group.this.name
  pattern        = var.job_finished_filter_pattern

  metric_transformation {
    name          = "JobsFinished"
    namespace     = local.metric_namespace
    value         = "1"
    default_value = "0"
    unit          = "Count"
  }
}

resource "aws_cloudwatch_log_metric_filter" "jobs_failed" {
  name           = "${var.name}-jobs-failed"
  log_group_name = aws_cloudwatch_log_group.this.name
  pattern        = var.job_failed_filter_pattern

  metric_transformation {
    name          = "JobsFailed"
    namespace     = local.metric_namespace
    value         = "1"
    default_value = "0"
    unit          = "Count"
  }
}

resource "aws_cloudwatch_log_metric_filter" "polls_succeeded" {
  name           = "${var.name}-polls-succeeded"
  log_group_name = aws_cloudwatch_log_group.this.name
  pattern        = var.poll_success_filter_pattern

  # No default value: a missing datapoint means no successful poll, which the alarm treats as breaching.
  metric_transformation {
    name      = "PollsSucceeded"
    namespace = local.metric_namespace
    value     = "1"
    unit      = "Count"
  }
}
