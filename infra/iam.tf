data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    sid     = "EcsTasksAssume"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    # Confused-deputy protection: only ECS tasks of this account.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# ---------------------------------------------------------------------------------------------
# Task role: what TerraFix itself may do in AWS. Only invoke the one configured model: the
# inference profile, and its foundation model only through that profile (in the destination
# regions of a geo profile; in the source region and region-less for a global profile). Nothing
# else: TerraFix never touches the cloud account; its secrets are injected by the execution role.
# ---------------------------------------------------------------------------------------------
resource "aws_iam_role" "task" {
  name               = "${var.name}-task"
  description        = "TerraFix task role: bedrock:InvokeModel on one inference profile and its model only"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "task" {
  statement {
    sid       = "InvokeConfiguredProfile"
    effect    = "Allow"
    actions   = ["bedrock:InvokeModel"]
    resources = [local.bedrock_inference_profile_arn]
  }

  statement {
    sid       = "InvokeModelThroughProfile"
    effect    = "Allow"
    actions   = ["bedrock:InvokeModel"]
    resources = local.bedrock_foundation_model_arns

    condition {
      test     = "StringEquals"
      variable = "bedrock:InferenceProfileArn"
      values   = [local.bedrock_inference_profile_arn]
    }
  }

  # Global profiles only: requests routed to any commercial region are authorised against the
  # region-less foundation-model ARN with aws:RequestedRegion "unspecified" (see locals.tf).
  dynamic "statement" {
    for_each = local.bedrock_is_global ? [1] : []
    content {
      sid       = "InvokeModelGloballyThroughProfile"
      effect    = "Allow"
      actions   = ["bedrock:InvokeModel"]
      resources = local.bedrock_global_model_arns

      condition {
        test     = "StringEquals"
        variable = "aws:RequestedRegion"
        values   = ["unspecified"]
      }

      condition {
        test     = "StringEquals"
        variable = "bedrock:InferenceProfileArn"
        values   = [local.bedrock_inference_profile_arn]
      }
    }
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "${var.name}-bedrock-invoke"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

# ---------------------------------------------------------------------------------------------
# Execution role: used by the ECS agent, not by TerraFix: pull the image, write logs, read the
# secrets the task definition injects.
# ---------------------------------------------------------------------------------------------
resource "aws_iam_role" "execution" {
  name               = "${var.name}-execution"
  description        = "TerraFix ECS execution role: pull the image, write logs, read its secrets"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "execution" {
  statement {
    # GetAuthorizationToken has no resource-level permissions (it only accepts "*").
    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html
    sid       = "EcrLogin"
    effect    = "Allow"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullImage"
    effect    = "Allow"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [aws_ecr_repository.this.arn]
  }

  statement {
    sid       = "WriteLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  statement {
    sid       = "ReadOwnSecrets"
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = local.readable_secret_arns
  }

  statement {
    sid       = "DecryptOwnSecretsAndImage"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.this.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${var.region}.amazonaws.com", "ecr.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "${var.name}-execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}
