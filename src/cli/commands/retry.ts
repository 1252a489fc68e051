import { describeStateStore, withStore } from "../../composition/store.js";
import { EXIT_JOB_FAILED, EXIT_OK, type CliIo, type RetryOptions } from "../context.js";
import { configOf } from "./config.js";

/** `terrafix retry (--failed | --key KEY...) [--dry-run]`: requeue jobs once their cause is fixed. */
export async function retryCommand(options: RetryOptions, io: CliIo): Promise<number> {
  const config = configOf(options, io);
  io.stderr.write(`state store: ${describeStateStore(config)}\n`);
  const result = await withStore(
    config,
    async (store) => {
      // A key the store does not hold is an error (a typo, another store), not "requeued 0".
      const unknown: string[] = [];
      if ("keys" in options.target) for (const key of options.target.keys) if ((await store.get(key)) === null) unknown.push(key);
      return { unknown, count: unknown.length > 0 ? 0 : await store.requeue(options.target, new Date(), options.dryRun) };
    },
    { mustExist: true },
  );
  if (result.unknown.length > 0) {
    io.stderr.write(`terrafix retry: no job with key ${result.unknown.join(", ")} in this state store (terrafix stats lists the keys)\n`);
    return EXIT_JOB_FAILED;
  }
  io.stdout.write(`${options.dryRun ? "would requeue" : "requeued"} ${result.count} job(s); the next daemon cycle or process-once runs them\n`);
  return EXIT_OK;
}
