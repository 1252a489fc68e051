# The task accepts no inbound traffic at all (its /healthz is probed inside the container) and
# may only open HTTPS connections (Vanta, GitHub, Bedrock, ECR, CloudWatch, Secrets Manager) and,
# with RDS, PostgreSQL to the database. DNS to the VPC resolver is not filtered by security groups.
resource "aws_security_group" "task" {
  name        = "${var.name}-task"
  description = "TerraFix tasks: no ingress; egress HTTPS and PostgreSQL to the state database only"
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name}-task" }
}

resource "aws_vpc_security_group_egress_rule" "task_https" {
  security_group_id = aws_security_group.task.id
  description       = "HTTPS to Vanta, GitHub, Bedrock and AWS APIs"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"

  tags = { Name = "${var.name}-task-https" }
}

resource "aws_vpc_security_group_egress_rule" "task_postgres" {
  count = var.enable_rds ? 1 : 0

  security_group_id            = aws_security_group.task.id
  description                  = "PostgreSQL to the TerraFix state database"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.db[0].id

  tags = { Name = "${var.name}-task-postgres" }
}
