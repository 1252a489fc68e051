import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A small Terraform repository written to a temp dir (files relative to its root); `remove()` deletes it. */
export function terraformRepo(files: Record<string, string>): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "tf-repo-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One bucket without versioning, in the provider's v5 style. */
export const BUCKET_TF = `terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}
`;

/** A provider only: an account without a password policy (the fix must add one). */
export const NO_POLICY_TF = `provider "aws" {
  region = "us-east-1"
}
`;
