import { withStore } from "../../composition/store.js";
import { EXIT_OK, type CliIo, type RetryOptions } from "../context.js";
import { configOf } from "./config.js";

/** `terrafix retry (--failed | --key KEY...) [--dry-run]`: requeue jobs once their cause is fixed. */
export async function retryCommand(options: RetryOptions, io: CliIo): Promise<number> {
  const config = configOf(options, io);
  const count = await withStore(config, (store) => store.requeue(options.target, new Date(), options.dryRun));
  io.stdout.write(`${options.dryRun ? "would requeue" : "requeued"} ${count} job(s); the next daemon cycle or process-once runs them\n`);
  return EXIT_OK;
}
