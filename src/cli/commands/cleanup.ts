import { describeStateStore, withStore } from "../../composition/store.js";
import { EXIT_OK, type CleanupOptions, type CliIo } from "../context.js";
import { configOf } from "./config.js";

/** `terrafix cleanup --older-than 30d [--dry-run]`. */
export async function cleanupCommand(options: CleanupOptions, io: CliIo): Promise<number> {
  const config = configOf(options, io);
  const cutoff = new Date(Date.now() - options.olderThanMs);
  io.stderr.write(`state store: ${describeStateStore(config)}\n`);
  const count = await withStore(config, (store) => store.cleanup(cutoff, options.dryRun), { mustExist: true });
  io.stdout.write(
    options.dryRun
      ? `would delete ${count} finished record(s) older than ${options.olderThan} (before ${cutoff.toISOString()})\n`
      : `deleted ${count} finished record(s) older than ${options.olderThan} (before ${cutoff.toISOString()})\n`,
  );
  return EXIT_OK;
}
