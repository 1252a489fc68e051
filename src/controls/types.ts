import type { ControlReview, TextEdit } from "../domain/change.js";
import type { HclBlock, ParsedFile } from "../terraform/parse.js";

export type CheckResult = "pass" | "fail" | "unknown";

/**
 * A resource as a control sees it: a subset of the repository index's IndexedResource, so the
 * index satisfies it structurally and tests can build one from parsed files alone.
 */
export interface ResourceRef {
  /** Full address: `module.logs.aws_s3_bucket.this`, `data.aws_iam_policy_document.p`. */
  address: string;
  mode: "managed" | "data";
  type: string;
  name: string;
  modulePath: readonly string[];
  /** Path relative to the repository root; the key of the file in `ControlContext.files`. */
  file: string;
  block: HclBlock;
}

/** A `module` block, as the index describes it. */
export interface ModuleCallRef {
  address: string;
  name: string;
  source: string;
  version?: string;
  local: boolean;
  file: string;
  block: HclBlock;
}

/** What a control may look at besides its resource. The RepositoryIndex satisfies it. */
export interface ControlContext {
  resources: readonly ResourceRef[];
  files: ReadonlyMap<string, ParsedFile>;
  moduleCalls?: readonly ModuleCallRef[];
  /** Major version of the AWS provider in use, when the code or lock file says. */
  awsProviderMajor?: number;
}

/** Edits of one file; `create` when the file does not exist yet (its text is then ""). */
export interface FileEdits {
  path: string;
  edits: TextEdit[];
  create?: boolean;
}

export type FixPlan =
  | { kind: "edits"; files: FileEdits[]; summary: string; risks?: string[] }
  | { kind: "unsupported"; reason: string }
  | { kind: "compliant"; reason: string };

export interface Control {
  /** TerraFix's own id, e.g. `s3-versioning`. */
  id: string;
  title: string;
  /** Vanta test ids known to map to this control (shared/reference/vanta-api.md); more come from config. */
  vantaTestIds: readonly string[];
  /** Checkov ids with the same meaning, so a reviewer can compare. */
  checkovIds: readonly string[];
  resourceTypes: readonly string[];
  /** Apply impact, rollback and what Vanta asks beyond the fix: shown to reviewers in the PR body. */
  review: ControlReview;
  /** Account-level singleton control: a missing resource is itself a failure (the fix adds it). */
  accountLevel?: boolean;
  check(resource: ResourceRef, ctx: ControlContext): CheckResult;
  fix(resource: ResourceRef, ctx: ControlContext): FixPlan;
  /** Account-level controls: adds the resource when the code has none. */
  fixMissing?(ctx: ControlContext): FixPlan;
}
