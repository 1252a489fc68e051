/**
 * What the LLM path needs to know about a job, as plain data: it depends on neither the
 * repository index's types nor the control catalogue's, so the pipeline (or a test) builds it
 * from whatever it has.
 */
export interface LlmBlockRef {
  /** Full Terraform address, e.g. `aws_s3_bucket.logs` or `module.logs.aws_s3_bucket.this`. */
  address: string;
  /** Path relative to the repository root, forward slashes; a key of `LlmFixInput.files`. */
  file: string;
  /** UTF-16 range of the block in the file, from the type keyword through the closing brace. */
  start: number;
  end: number;
  /** Leading whitespace of the block's first line (usually empty for top-level blocks). */
  indent?: string;
  /** Reference hops from the target (1 = direct); the prompt includes nearest first. */
  distance?: number;
}

export interface LlmFailureText {
  testId: string;
  testName: string;
  testDescription?: string;
  failureDescription?: string;
  /** Vanta's remediation Markdown. Untrusted. */
  remediationText?: string;
  /** The failing resource as Vanta names it. */
  resourceName?: string;
  resourceKind?: string;
}

/** The control from the catalogue that covers the test, when there is one. Trusted text. */
export interface LlmControlText {
  id: string;
  title: string;
  /** What the check looks at, in words (e.g. "versioning_configuration.status is Enabled"). */
  checkDescription: string;
  checkovIds?: string[];
}

export interface LlmFixInput {
  failure: LlmFailureText;
  control?: LlmControlText;
  /** AWS provider constraint or detected major, e.g. `~> 5.0`; shapes S3 style. */
  providerVersion?: string;
  /** The matched block: always in the prompt in full, and editable. */
  target: LlmBlockRef;
  /** Blocks the target references (read-only context). */
  referenced: LlmBlockRef[];
  /** Blocks that reference the target (context; companion resources among them are editable). */
  referencing: LlmBlockRef[];
  /** Text of every file named by the blocks above, by path. */
  files: Record<string, string>;
}
