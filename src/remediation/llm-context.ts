import type { Failure } from "../domain/failure.js";
import type { LlmBlockRef, LlmControlText, LlmFixInput } from "../remediation/llm/input.js";
import type { IndexedModuleCall, IndexedResource, RepositoryIndex } from "../terraform/types.js";

type Target = IndexedResource | IndexedModuleCall;

function blockRef(target: Target, distance: number): LlmBlockRef {
  return { address: target.address, file: target.file, start: target.block.span.start, end: target.block.span.end, indent: target.block.indent, distance };
}

function lookup(index: RepositoryIndex, address: string): Target | undefined {
  return index.resourceByAddress(address) ?? index.moduleCallByAddress(address);
}

/**
 * The LLM's view of a job, from the repository index: the matched block, the blocks it refers to
 * (two hops, nearest first) and the blocks that refer to it, with the text of their files.
 */
export function buildLlmInput(index: RepositoryIndex, target: Target, failure: Failure, control: LlmControlText | undefined): LlmFixInput {
  const referenced: LlmBlockRef[] = [];
  const seen = new Set<string>([target.address]);
  let frontier = "references" in target ? target.references : [];
  for (let distance = 1; distance <= 2 && frontier.length > 0; distance++) {
    const next: string[] = [];
    for (const address of frontier) {
      if (seen.has(address)) continue;
      seen.add(address);
      const block = lookup(index, address);
      if (block === undefined) continue;
      referenced.push(blockRef(block, distance));
      if ("references" in block) next.push(...block.references);
    }
    frontier = next;
  }
  const referencing = ("referencedBy" in target ? target.referencedBy : [])
    .filter((a) => !seen.has(a))
    .map((a) => lookup(index, a))
    .filter((b): b is Target => b !== undefined)
    .map((b) => blockRef(b, 1));
  const files: Record<string, string> = {};
  for (const ref of [blockRef(target, 0), ...referenced, ...referencing]) {
    const text = index.files.get(ref.file)?.text;
    if (text !== undefined) files[ref.file] = text;
  }
  return {
    failure: {
      testId: failure.testId,
      testName: failure.testName,
      ...(failure.testDescription === undefined ? {} : { testDescription: failure.testDescription }),
      ...(failure.failureDescription === undefined ? {} : { failureDescription: failure.failureDescription }),
      ...(failure.remediationText === undefined ? {} : { remediationText: failure.remediationText }),
      resourceName: failure.displayName,
      resourceKind: failure.responseType,
    },
    ...(control === undefined ? {} : { control }),
    ...(index.awsProviderMajor === undefined ? {} : { providerVersion: `${index.awsProviderMajor}.x` }),
    target: blockRef(target, 0),
    referenced,
    referencing,
    files,
  };
}
