import { providerMajor } from "../terraform/provider-version.js";
import type { RepositoryIndex } from "../terraform/types.js";
import { runCatalogue, type CheckFinding, type CheckSummary } from "./run-catalogue.js";
import type { ControlContext } from "./types.js";

/**
 * The catalogue over a lazily validated index (issue 17): tree-sitter located every block, and
 * hcl2json checks only the files a finding is in, not every file of the repository. A file it
 * rejects leaves the repository as it would have in an eagerly validated index (its resources are
 * neither checked nor anyone's peers), and the catalogue runs again without it.
 */
export async function runCatalogueValidated(index: RepositoryIndex): Promise<{ findings: CheckFinding[]; summary: Omit<CheckSummary, "parseErrors"> }> {
  for (;;) {
    const result = runCatalogue(index.invalidFiles.size === 0 ? index : withoutFiles(index, index.invalidFiles));
    const files = [...new Set(result.findings.map((f) => f.file))];
    if ((await index.validate(files)).length === 0) return result;
  }
}

function withoutFiles(index: RepositoryIndex, invalid: ReadonlySet<string>): ControlContext {
  const files = new Map([...index.files].filter(([rel]) => !invalid.has(rel)));
  const major = providerMajor([...files.values()]);
  return {
    resources: index.resources.filter((r) => !invalid.has(r.file)),
    files,
    moduleCalls: index.moduleCalls.filter((c) => !invalid.has(c.file)),
    ...(major === undefined ? {} : { awsProviderMajor: major }),
  };
}
