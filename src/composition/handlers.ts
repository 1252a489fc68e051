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
    run: async (options, io) => (await import("../cli/commands/run.js")).runCommand(options, io),
    processOnce: async (options, io) => (await import("../cli/commands/process-once.js")).processOnceCommand(options, io),
    stats: async (options, io) => (await import("../cli/commands/stats.js")).statsCommand(options, io),
    cleanup: async (options, io) => (await import("../cli/commands/cleanup.js")).cleanupCommand(options, io),
    retry: async (options, io) => (await import("../cli/commands/retry.js")).retryCommand(options, io),
    match: async (options, io) => (await import("../cli/commands/match.js")).matchCommand(options, io),
    fix: async (options, io) => (await import("../cli/commands/fix.js")).fixCommand(options, io),
    check: async (options, io) => (await import("../cli/commands/check.js")).checkCommand(options, io),
    controls: async (options, io) => (await import("../cli/commands/controls.js")).controlsCommand(options, io),
  };
}
