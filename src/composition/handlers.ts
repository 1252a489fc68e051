import { checkCommand } from "../cli/commands/check.js";
import { cleanupCommand } from "../cli/commands/cleanup.js";
import { fixCommand } from "../cli/commands/fix.js";
import { matchCommand } from "../cli/commands/match.js";
import { processOnceCommand } from "../cli/commands/process-once.js";
import { retryCommand } from "../cli/commands/retry.js";
import { runCommand } from "../cli/commands/run.js";
import { statsCommand } from "../cli/commands/stats.js";
import { notImplementedHandlers, type CommandHandlers } from "../cli/context.js";

/**
 * Wires every CLI command to the parts that do the work. Each command's module (and through it
 * the parsers, SDKs and state stores it needs) is imported only when that command runs, so
 * `--version`, `--help` and a usage error load none of them (issue 17: the eager imports, with
 * hcl2json's Go WASM, cost ~1.5 s per call).
 */
export function createHandlers(): CommandHandlers {
  return {
    ...notImplementedHandlers(),
    run: async (options, io) => (await import("./daemon-commands.js")).runCommand(options, io),
    processOnce: async (options, io) => (await import("./daemon-commands.js")).processOnceCommand(options, io),
    stats: async (options, io) => (await import("./state-commands.js")).statsCommand(options, io),
    cleanup: async (options, io) => (await import("./state-commands.js")).cleanupCommand(options, io),
    retry: async (options, io) => (await import("./state-commands.js")).retryCommand(options, io),
    match: async (options, io) => (await import("./match-command.js")).matchCommand(options, io),
    fix: async (options, io) => (await import("./fix-command.js")).fixCommand(options, io),
    check: async (options, io) => (await import("./check-command.js")).checkCommand(options, io),
  };
}
