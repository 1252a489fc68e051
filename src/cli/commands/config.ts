import { loadConfig, type LoadConfigInput } from "../../config/load.js";
import type { Config } from "../../config/options.js";
import type { CliIo, GlobalOptions } from "../context.js";

/** The configuration of a command: its environment, the optional --config file and flag overrides. */
export function configOf(options: GlobalOptions, io: CliIo, overrides?: LoadConfigInput["overrides"]): Config {
  return loadConfig({ env: io.env, ...(options.config === undefined ? {} : { file: options.config }), ...(overrides === undefined ? {} : { overrides }) });
}
