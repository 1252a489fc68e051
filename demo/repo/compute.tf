resource "aws_instance" "bastion" {
  ami                    = "ami-0c02fb55956c7d316"
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.bastion.id]

  root_block_device {
    encrypted   = true
    volume_size = 20
  }

  tags = merge(local.common_tags, { Name = "${local.prefix}-bastion" })
}

resource "aws_kms_key" "app" {
  description             = "Application data key"
  deletion_window_in_days = 30
  tags                    = merge(local.common_tags, { Name = "${local.prefix}-app-key" })
}

resource "aws_kms_alias" "app" {
  name          = "alias/${local.prefix}-app"
  target_key_id = aws_kms_key.app.key_id
}
