import { loadConfig, type LoadConfigInput } from "../../config/load.js";
import { loadRepoConfig } from "../../config/repo-config.js";
import type { Config } from "../../config/options.js";
import type { CliIo, GlobalOptions } from "../context.js";

/** The configuration of a command: its environment, the optional --config file and flag overrides. */
export function configOf(options: GlobalOptions, io: CliIo, overrides?: LoadConfigInput["overrides"]): Config {
  return loadConfig({ env: io.env, ...(options.config === undefined ? {} : { file: options.config }), ...(overrides === undefined ? {} : { overrides }) });
}

/**
 * What a local-folder command (match, fix, check) reads besides its flags: the configuration
 * (validated like every command's, --config included) and the folder's `.terrafix.yml`, whose
 * single `paths` entry narrows the index as in the daemon. Both throw a config error (exit 2).
 */
export async function localRepoSettings(options: GlobalOptions, io: CliIo, repo: string): Promise<{ config: Config; subPath?: string }> {
  const config = configOf(options, io);
  const repoConfig = await loadRepoConfig(repo);
  const subPath = repoConfig.paths.length === 1 ? repoConfig.paths[0] : undefined;
  return { config, ...(subPath === undefined ? {} : { subPath }) };
}

/** How a command reports that its persistent parse cache cannot be used (it goes on without). */
export function cacheWarning(io: CliIo): (message: string, error: unknown) => void {
  return (message, error) => io.stderr.write(`warning: ${message}: ${error instanceof Error ? error.message : String(error)}\n`);
}
