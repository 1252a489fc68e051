import { checkCommand } from "../cli/commands/check.js";
import { cleanupCommand } from "../cli/commands/cleanup.js";
import { fixCommand } from "../cli/commands/fix.js";
import { matchCommand } from "../cli/commands/match.js";
import { processOnceCommand } from "../cli/commands/process-once.js";
import { retryCommand } from "../cli/commands/retry.js";
import { runCommand } from "../cli/commands/run.js";
import { statsCommand } from "../cli/commands/stats.js";
import { notImplementedHandlers, type CommandHandlers } from "../cli/context.js";

/** Wires every CLI command to the parts that do the work. */
export function createHandlers(): CommandHandlers {
  return {
    ...notImplementedHandlers(),
    run: runCommand,
    processOnce: (options, io) => processOnceCommand(options, io),
    stats: statsCommand,
    cleanup: cleanupCommand,
    retry: retryCommand,
    match: matchCommand,
    fix: fixCommand,
    check: checkCommand,
  };
}
