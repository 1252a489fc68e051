import type { ProposedChange, VerificationReport } from "../domain/change.js";
import type { Control } from "../controls/types.js";
import { verifyChange } from "../remediation/verify.js";
import type { RepositoryIndex } from "../terraform/types.js";

export interface VerifyInput {
  change: ProposedChange;
  /** Full address of the matched resource or module call. */
  targetAddress: string;
  /** The repository's index before the change. */
  index: RepositoryIndex;
  /** The job's controls: the change must make them pass. */
  controls: readonly Control[];
}

export interface VerifyDeps {
  /** `terraform fmt -` as a function; absent when the binary is not installed (the gate then says skipped). */
  formatter?: (text: string) => Promise<string | null>;
}

/**
 * Stage 5: the gates every proposed change passes, from rules or the model
 * (remediation/verify.ts; ARCHITECTURE.md "Remediation" 3). The generate stage calls it for every
 * proposal (the model's repair loop feeds a failed gate back) and reports the time spent here.
 */
export async function verifyProposal(input: VerifyInput, deps: VerifyDeps, signal?: AbortSignal): Promise<VerificationReport> {
  // Async, so an aborted job gets a rejected promise like every other stage, not a synchronous throw.
  signal?.throwIfAborted();
  const { index } = input;
  return await verifyChange(
    {
      change: input.change,
      controlIds: input.controls.map((c) => c.id),
      targetAddress: input.targetAddress,
      files: index.files,
      resources: index.resources,
      ...(index.awsProviderMajor === undefined ? {} : { awsProviderMajor: index.awsProviderMajor }),
    },
    deps.formatter === undefined ? {} : { formatter: deps.formatter },
  );
}
