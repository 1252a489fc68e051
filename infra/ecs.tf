resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = { Name = var.name }
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  task_role_arn            = aws_iam_role.task.arn
  execution_role_arn       = aws_iam_role.execution.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  # Task storage (Fargate platform 1.4+) is encrypted with an AWS-owned key and lives as long as
  # the task. See README "State" for why SQLite on it is safe for one replica.
  ephemeral_storage {
    size_in_gib = var.ephemeral_storage_gib
  }

  # Writable bind mounts on task storage; the rest of the root file system is read-only.
  volume {
    name = "data"
  }

  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([
    {
      name                   = local.container_name
      image                  = "${aws_ecr_repository.this.repository_url}:${var.image_tag}"
      essential              = true
      user                   = "10001:10001"
      readonlyRootFilesystem = true
      privileged             = false
      environment            = local.container_environment
      secrets                = local.container_secrets
      # Fargate allows at most 120 s between SIGTERM and SIGKILL; the daemon's grace is 90 s.
      stopTimeout = 120
      # An init process reaps the git/terraform children of the daemon.
      linuxParameters = {
        initProcessEnabled = true
        capabilities       = { drop = ["ALL"] }
      }
      mountPoints = [
        { sourceVolume = "data", containerPath = "/app/data", readOnly = false },
        { sourceVolume = "tmp", containerPath = "/app/tmp", readOnly = false },
      ]
      healthCheck = {
        command     = ["CMD", "node", "-e", local.health_command]
        interval    = 30
        timeout     = 5
        retries     = 3
        startPeriod = 60
      }
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.this.name
          awslogs-region        = var.region
          awslogs-stream-prefix = local.container_name
          mode                  = "non-blocking"
          max-buffer-size       = "25m"
        }
      }
    }
  ])

  tags = { Name = var.name }
}

resource "aws_ecs_service" "this" {
  name                    = var.name
  cluster                 = aws_ecs_cluster.this.id
  task_definition         = aws_ecs_task_definition.this.arn
  desired_count           = var.desired_count
  launch_type             = "FARGATE"
  platform_version        = "LATEST"
  propagate_tags          = "SERVICE"
  enable_ecs_managed_tags = true

  # With SQLite every task has its own state and would poll Vanta on its own: never run two,
  # not even during a deployment (stop the old task, then start the new one). With PostgreSQL
  # the replicas elect one poller, so a rolling deployment is fine.
  deployment_minimum_healthy_percent = var.enable_rds ? 100 : 0
  deployment_maximum_percent         = var.enable_rds ? 200 : 100

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.task.id]
    assign_public_ip = false
  }

  lifecycle {
    precondition {
      condition     = var.enable_rds || var.desired_count <= 1
      error_message = "desired_count > 1 needs enable_rds = true: replicas must share PostgreSQL state (SQLite is per task)."
    }
  }

  tags = { Name = var.name }
}
