import { TerraFixError } from "../errors.js";

export interface ConfigIssue {
  /** The option's YAML key (or the unknown key found). */
  option: string;
  env: string;
  message: string;
}

/** Thrown with every problem at once, each naming the option and its variable. */
export class ConfigError extends TerraFixError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super(
      `invalid configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
        issues.map((i) => `  - ${i.env} (${i.option}): ${i.message}`).join("\n"),
      { kind: "config", stage: "config" },
    );
    this.name = "ConfigError";
    this.issues = issues;
  }
}
