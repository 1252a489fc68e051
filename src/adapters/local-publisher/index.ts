export { createLocalPublisher, type LocalPublisherOptions } from "./local.js";
export { createDryRunPublisher, dryRunFileName, toDryRunRecord, type DryRunPublisherOptions, type DryRunRecord } from "./dry-run.js";
