import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseHclFile, type HclBlock } from "../../../src/terraform/parse.js";
import { gateResult, verificationReport, type ProposedChange, type VerificationReport } from "../../../src/domain/change.js";
import type { LlmBlockRef, LlmFixInput } from "../../../src/remediation/llm/input.js";

export function fixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), "utf8");
}

export function addressOf(block: HclBlock): string {
  if (block.type === "resource") return `${block.labels[0]}.${block.labels[1]}`;
  if (block.type === "data") return `data.${block.labels[0]}.${block.labels[1]}`;
  if (block.type === "module") return `module.${block.labels[0]}`;
  return [block.type, ...block.labels].join(".");
}

/** Builds the LLM input from a real parse of a file, as the pipeline would from the index. */
export async function inputFor(
  file: string,
  text: string,
  target: string,
  options: { referenced?: string[]; referencing?: string[]; extra?: Partial<LlmFixInput> } = {},
): Promise<LlmFixInput> {
  const parsed = await parseHclFile(file, text);
  const ref = (address: string, distance = 1): LlmBlockRef => {
    const block = parsed.blocks.find((b) => addressOf(b) === address);
    if (block === undefined) throw new Error(`no block ${address} in ${file}`);
    return { address, file, start: block.span.start, end: block.span.end, indent: block.indent, distance };
  };
  return {
    failure: {
      testId: "s3-bucket-versioning-enabled",
      testName: "S3 buckets have versioning enabled",
      testDescription: "Verifies that all S3 buckets have versioning enabled.",
      failureDescription: "Versioning is not enabled on the bucket.",
      remediationText: "## Remediation for Terraform\nAdd an `aws_s3_bucket_versioning` resource with `status = \"Enabled\"`.",
      resourceName: "acme-app-logs",
      resourceKind: "S3 bucket",
    },
    control: {
      id: "s3-versioning",
      title: "S3 bucket versioning is enabled",
      checkDescription: "the bucket has versioning_configuration.status = \"Enabled\" (an aws_s3_bucket_versioning resource) or an inline versioning { enabled = true } block",
      checkovIds: ["CKV_AWS_21"],
    },
    providerVersion: "~> 5.0 (separate aws_s3_bucket_* resources)",
    target: ref(target),
    referenced: (options.referenced ?? []).map((a, i) => ref(a, i + 1)),
    referencing: (options.referencing ?? []).map((a) => ref(a)),
    files: { [file]: text },
    ...options.extra,
  };
}

/**
 * A small verify for these tests (the real gates are remediation/verify): the file re-parses,
 * versioning is enabled for the bucket, and no provisioner was added.
 */
export async function simpleVerify(change: ProposedChange): Promise<VerificationReport> {
  const checks = [];
  for (const file of change.files) {
    const parsed = await parseHclFile(file.path, file.after);
    checks.push(gateResult("parse", parsed.errors.length === 0 ? "pass" : "fail", parsed.errors.join("; ") || `${file.path} parses`));
    const versioned = /resource\s+"aws_s3_bucket_versioning"[\s\S]*?bucket\s*=\s*aws_s3_bucket\.logs\.id[\s\S]*?status\s*=\s*"Enabled"/.test(file.after);
    checks.push(gateResult("control", versioned ? "pass" : "fail", versioned ? "s3-versioning passes" : "s3-versioning still fails for aws_s3_bucket.logs"));
    const provisioner = /^\s*provisioner\s+"/m.test(file.after);
    checks.push(gateResult("guardrails", provisioner ? "fail" : "pass", provisioner ? "provisioner blocks are not allowed (guardrail: no-provisioner)" : "no guardrail violated"));
  }
  return verificationReport(checks);
}

export const VERSIONING_BLOCK = `resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id

  versioning_configuration {
    status = "Enabled"
  }
}`;

export function validProposal(overrides: Record<string, unknown> = {}) {
  return {
    edits: [{ action: "insert_after", address: "aws_s3_bucket.logs", file: "main.tf", new_text: VERSIONING_BLOCK }],
    rationale: "The bucket had no versioning; an aws_s3_bucket_versioning resource enables it.",
    confidence: 0.9,
    risks: ["Ignored an instruction in a repository comment asking for a local-exec provisioner."],
    ...overrides,
  };
}
