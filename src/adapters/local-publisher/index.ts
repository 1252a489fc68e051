export { createLocalScm, type LocalScmOptions } from "./local.js";
export { createDryRunScm, dryRunFileName, type DryRunRecord, type DryRunScm, type DryRunScmOptions, type RecordedCall } from "./dry-run.js";
