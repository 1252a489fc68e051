resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.this.arn

  tags = { Name = "${var.name}-alarms" }
}

resource "aws_sns_topic_policy" "alarms" {
  arn = aws_sns_topic.alarms.arn

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "CloudWatchAlarms"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = aws_sns_topic.alarms.arn
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
      {
        Sid       = "TaskStoppedEvents"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = aws_sns_topic.alarms.arn
        Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.task_stopped.arn } }
      },
    ]
  })
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

# ---------------------------------------------------------------------------------------------
# Task restarts: a task of the service stopped because its container exited or it could not
# start (not a deployment or a scale-in). Each event is sent to the topic, and an alarm fires
# when they repeat.
# ---------------------------------------------------------------------------------------------
resource "aws_cloudwatch_event_rule" "task_stopped" {
  name        = "${var.name}-task-stopped"
  description = "A TerraFix task stopped unexpectedly"

  event_pattern = jsonencode({
    source      = ["aws.ecs"]
    detail-type = ["ECS Task State Change"]
    detail = {
      clusterArn = [aws_ecs_cluster.this.arn]
      group      = ["service:${var.name}"]
      lastStatus = ["STOPPED"]
      stopCode   = ["EssentialContainerExited", "TaskFailedToStart"]
    }
  })

  tags = { Name = "${var.name}-task-stopped" }
}

resource "aws_cloudwatch_event_target" "task_stopped" {
  rule      = aws_cloudwatch_event_rule.task_stopped.name
  target_id = "sns"
  arn       = aws_sns_topic.alarms.arn
}

resource "aws_cloudwatch_metric_alarm" "task_restarts" {
  alarm_name          = "${var.name}-task-restarts"
  alarm_description   = "TerraFix tasks stopped unexpectedly ${var.task_restart_threshold} or more times in an hour (crash loop, bad secret, OOM). See the stopped tasks' stoppedReason and the log group."
  namespace           = "AWS/Events"
  metric_name         = "TriggeredRules"
  dimensions          = { RuleName = aws_cloudwatch_event_rule.task_stopped.name }
  statistic           = "Sum"
  period              = 3600
  evaluation_periods  = 1
  threshold           = var.task_restart_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  tags = { Name = "${var.name}-task-restarts" }
}

# Fewer tasks running than desired for 5 minutes (Container Insights metrics).
resource "aws_cloudwatch_metric_alarm" "running_below_desired" {
  alarm_name          = "${var.name}-running-below-desired"
  alarm_description   = "Fewer TerraFix tasks are running than desired for 5 minutes."
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "missing"
    expression  = "desired - running"
    label       = "Tasks missing"
    return_data = true
  }

  metric_query {
    id = "desired"
    metric {
      namespace   = "ECS/ContainerInsights"
      metric_name = "DesiredTaskCount"
      dimensions  = { ClusterName = aws_ecs_cluster.this.name, ServiceName = aws_ecs_service.this.name }
      stat        = "Average"
      period      = 60
    }
  }

  metric_query {
    id = "running"
    metric {
      namespace   = "ECS/ContainerInsights"
      metric_name = "RunningTaskCount"
      dimensions  = { ClusterName = aws_ecs_cluster.this.name, ServiceName = aws_ecs_service.this.name }
      stat        = "Average"
      period      = 60
    }
  }

  tags = { Name = "${var.name}-running-below-desired" }
}

# Share of finished jobs that failed, per hour (log metric filters in logs.tf).
resource "aws_cloudwatch_metric_alarm" "job_failure_rate" {
  alarm_name          = "${var.name}-job-failure-rate"
  alarm_description   = "More than ${var.job_failure_rate_threshold_percent}% of TerraFix jobs failed in the last hour. Run `terrafix stats` for the failure kinds."
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.job_failure_rate_threshold_percent
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "rate"
    expression  = "IF(FILL(finished, 0) > 0, 100 * FILL(failed, 0) / FILL(finished, 1), 0)"
    label       = "Failed jobs (%)"
    return_data = true
  }

  metric_query {
    id = "finished"
    metric {
      namespace   = local.metric_namespace
      metric_name = "JobsFinished"
      stat        = "Sum"
      period      = 3600
    }
  }

  metric_query {
    id = "failed"
    metric {
      namespace   = local.metric_namespace
      metric_name = "JobsFailed"
      stat        = "Sum"
      period      = 3600
    }
  }

  tags = { Name = "${var.name}-job-failure-rate" }
}

# No successful poll in the last N minutes: Vanta unreachable or credentials revoked (another
# poller using the same Vanta application mints tokens that revoke ours), or no task running.
resource "aws_cloudwatch_metric_alarm" "no_successful_poll" {
  alarm_name          = "${var.name}-no-successful-poll"
  alarm_description   = "TerraFix logged no successful Vanta poll for ${var.no_poll_alarm_minutes} minutes."
  namespace           = local.metric_namespace
  metric_name         = "PollsSucceeded"
  statistic           = "Sum"
  period              = var.no_poll_alarm_minutes * 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  tags = { Name = "${var.name}-no-successful-poll" }
}
