variable "region" {
  type    = string
  default = "us-east-1"
}

variable "env" {
  type    = string
  default = "prod"
}

variable "vpc_id" {
  type    = string
  default = "vpc-0a1b2c3d4e5f67890"
}

variable "office_cidr" {
  description = "Office egress range allowed to reach internal services"
  type        = string
  default     = "203.0.113.0/24"
}
