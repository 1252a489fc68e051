import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { ConfigError } from "../config/errors.js";
import { isTerraFixError } from "../errors.js";
import { collectTag, parseDuration, parsePositiveInt } from "./parse-options.js";
import {
  EXIT_JOB_FAILED,
  EXIT_USAGE,
  NotImplementedError,
  type CliIo,
  type CommandHandlers,
  type IdentityOptions,
} from "./context.js";

export const VERSION = "0.1.0";

/**
 * The commander program of the CLI contract (shared/ARCHITECTURE.md). Exported so tests drive it
 * directly; it never calls process.exit.
 */
export function buildProgram(handlers: CommandHandlers, io: CliIo, onExit: (code: number) => void): Command {
  const program = new Command("terrafix")
    .description("Turns failing Vanta compliance tests into reviewed Terraform pull requests")
    .version(VERSION, "-V, --version")
    .option("-c, --config <file>", "YAML configuration file (or TERRAFIX_CONFIG)")
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // A usage error is one line on stderr (help stays on --help).
      outputError: (s, write) => write(`terrafix: ${s.replace(/^error: /, "").trim().replace(/\s*\n\s*/g, " ")} (terrafix --help for usage)\n`),
    })
    .exitOverride();

  const global = (): { config?: string } => {
    const config = program.opts<{ config?: string }>().config;
    return config === undefined ? {} : { config };
  };
  const act =
    <T extends unknown[]>(work: (...args: T) => Promise<number>) =>
    async (...args: T): Promise<void> => {
      onExit(await work(...args));
    };

  program
    .command("run")
    .description("daemon: poll loop, worker pool, /healthz /readyz /metrics")
    .action(act(() => handlers.run({ ...global() }, io)));

  program
    .command("process-once")
    .description("one poll cycle; waits for every job; exit 0 unless a job errored")
    .option("--dry-run", "publish nothing: write would-be pull requests as JSON (dry-run publisher)", false)
    .option("--limit <n>", "process at most N failures", parsePositiveInt)
    .action(
      act((opts: { dryRun: boolean; limit?: number }) =>
        handlers.processOnce({ ...global(), dryRun: opts.dryRun, ...(opts.limit === undefined ? {} : { limit: opts.limit }) }, io),
      ),
    );

  program
    .command("controls")
    .description("list the control catalogue: Checkov ids, Vanta test ids and resource types of each control")
    .option("--json", "print JSON", false)
    .action(act((opts: { json: boolean }) => handlers.controls({ ...global(), json: opts.json }, io)));

  program
    .command("stats")
    .description("counts by outcome, stage latency percentiles, recent failures")
    .option("--json", "print JSON", false)
    .action(act((opts: { json: boolean }) => handlers.stats({ ...global(), json: opts.json }, io)));

  program
    .command("cleanup")
    .description("delete finished records older than the cutoff")
    .requiredOption("--older-than <duration>", "cutoff age, e.g. 30d, 12h")
    .option("--dry-run", "only count what would be deleted", false)
    .action(
      act((opts: { olderThan: string; dryRun: boolean }) =>
        handlers.cleanup({ ...global(), olderThan: opts.olderThan, olderThanMs: parseDuration(opts.olderThan), dryRun: opts.dryRun }, io),
      ),
    );

  program
    .command("retry")
    .description("put failed jobs (or the given keys) back in the queue once the cause is fixed")
    .option("--failed", "every job that ended as failed", false)
    .option("--key <key>", "a failure key (repeatable; see stats or the PR body)", (v: string, prev: string[]) => [...prev, v], [])
    .option("--dry-run", "only count what would be requeued", false)
    .action(
      act((opts: { failed: boolean; key: string[]; dryRun: boolean }) => {
        if (opts.failed === (opts.key.length > 0)) throw new UsageError("give either --failed or one or more --key");
        return handlers.retry({ ...global(), target: opts.failed ? { failed: true } : { keys: opts.key }, dryRun: opts.dryRun }, io);
      }),
    );

  const identity = (command: Command): Command =>
    command
      .requiredOption("--repo <dir>", "local repository folder")
      .option("--arn <arn>", "ARN of the failing resource")
      .option("--name <name>", "name of the failing resource")
      .option("--type <kind>", "CloudFormation type, Terraform type or Vanta responseType")
      .option("--tag <key=value>", "a tag of the resource (repeatable)", collectTag, {})
      .option("--json", "print JSON", false);

  identity(program.command("match").description("find the Terraform block that defines a resource"))
    .option("--state <file>", "Terraform state file to resolve generated ids")
    .action(act((opts: RawIdentity & { state?: string }) => handlers.match({ ...global(), ...identityOptions(opts) }, io)));

  identity(program.command("fix").description("write and verify a fix for one failing resource"))
    .requiredOption("--test <test>", "Vanta test id or TerraFix control id")
    .addOption(new Option("--generator <generator>", "rules, llm or auto").choices(["rules", "llm", "auto"]).default("auto"))
    .option("--apply", "write the change into --repo", false)
    .action(
      act((opts: RawIdentity & { test: string; generator: "rules" | "llm" | "auto"; apply: boolean }) =>
        handlers.fix({ ...global(), ...identityOptions(opts), test: opts.test, generator: opts.generator, apply: opts.apply }, io),
      ),
    );

  program
    .command("check")
    .description("run the control catalogue over a repository and list failing controls")
    .requiredOption("--repo <dir>", "local repository folder")
    .option("--json", "print JSON", false)
    .action(act((opts: { repo: string; json: boolean }) => handlers.check({ ...global(), repo: opts.repo, json: opts.json }, io)));

  return program;
}

interface RawIdentity {
  repo: string;
  arn?: string;
  name?: string;
  type?: string;
  tag: Record<string, string>;
  state?: string;
  json: boolean;
}

function identityOptions(opts: RawIdentity): IdentityOptions {
  if (opts.arn === undefined && (opts.name === undefined || opts.type === undefined) && Object.keys(opts.tag).length === 0)
    throw new UsageError("give --arn, or --name with --type (tags may narrow either)");
  return {
    repo: opts.repo,
    tags: opts.tag,
    json: opts.json,
    ...(opts.arn === undefined ? {} : { arn: opts.arn }),
    ...(opts.name === undefined ? {} : { name: opts.name }),
    ...(opts.type === undefined ? {} : { type: opts.type }),
    ...(opts.state === undefined ? {} : { state: opts.state }),
  };
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Runs the CLI; returns the exit code instead of exiting. */
export async function runCli(argv: string[], handlers: CommandHandlers, io: CliIo): Promise<number> {
  let code = 0;
  const program = buildProgram(handlers, io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (error) {
    // A flag value rejected inside an action (e.g. --older-than thirty): commander printed nothing.
    if (error instanceof InvalidArgumentError) {
      io.stderr.write(`terrafix: ${error.message} (terrafix --help for usage)\n`);
      return EXIT_USAGE;
    }
    if (error instanceof CommanderError) {
      // --help and --version end through exitOverride with exit code 0.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (error instanceof UsageError || error instanceof NotImplementedError) {
      io.stderr.write(`${error.message.replace(/\s*\n\s*/g, " ")}\n`);
      return EXIT_USAGE;
    }
    // A configuration answer from a service (e.g. a retired model id) is a configuration error too: exit 2.
    if (error instanceof ConfigError || (isTerraFixError(error) && error.kind === "config")) {
      io.stderr.write(`${error.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`terrafix: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_JOB_FAILED;
  }
}
