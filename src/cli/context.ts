import type { Writable } from "node:stream";

/** Exit codes of the CLI contract: 0 success, 1 the job could not be done, 2 bad usage or configuration. */
export const EXIT_OK = 0;
export const EXIT_JOB_FAILED = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

export interface GlobalOptions {
  config?: string;
}

export interface RunOptions extends GlobalOptions {
  once?: boolean;
}
export interface ProcessOnceOptions extends GlobalOptions {
  dryRun: boolean;
  limit?: number;
}
export interface StatsOptions extends GlobalOptions {
  json: boolean;
}
export interface CleanupOptions extends GlobalOptions {
  olderThanMs: number;
  olderThan: string;
  dryRun: boolean;
}
export interface RetryOptions extends GlobalOptions {
  /** Every failed job, or the given keys. */
  target: { failed: true } | { keys: string[] };
  dryRun: boolean;
}
export interface IdentityOptions {
  repo: string;
  arn?: string;
  name?: string;
  type?: string;
  tags: Record<string, string>;
  state?: string;
  json: boolean;
}
export type MatchOptions = IdentityOptions & GlobalOptions;
export interface FixOptions extends IdentityOptions, GlobalOptions {
  test: string;
  generator: "rules" | "llm" | "auto";
  apply: boolean;
}
export interface ControlsOptions extends GlobalOptions {
  json: boolean;
}
export interface CheckOptions extends GlobalOptions {
  repo: string;
  json: boolean;
}

/**
 * What each command does, supplied by the composition root. Commands parse and validate their
 * flags, then hand over; they hold no business logic. Each returns the process exit code.
 */
export interface CommandHandlers {
  run(options: RunOptions, io: CliIo): Promise<number>;
  processOnce(options: ProcessOnceOptions, io: CliIo): Promise<number>;
  stats(options: StatsOptions, io: CliIo): Promise<number>;
  cleanup(options: CleanupOptions, io: CliIo): Promise<number>;
  retry(options: RetryOptions, io: CliIo): Promise<number>;
  match(options: MatchOptions, io: CliIo): Promise<number>;
  fix(options: FixOptions, io: CliIo): Promise<number>;
  check(options: CheckOptions, io: CliIo): Promise<number>;
  controls(options: ControlsOptions, io: CliIo): Promise<number>;
}

export class NotImplementedError extends Error {
  constructor(command: string) {
    super(`terrafix ${command}: not implemented yet`);
    this.name = "NotImplementedError";
  }
}

/** Handlers for commands whose issue has not landed: each exits 2 with one line. */
export function notImplementedHandlers(): CommandHandlers {
  const fail = (command: string) => (): Promise<number> => Promise.reject(new NotImplementedError(command));
  return {
    run: fail("run"),
    processOnce: fail("process-once"),
    stats: fail("stats"),
    cleanup: fail("cleanup"),
    retry: fail("retry"),
    match: fail("match"),
    fix: fail("fix"),
    check: fail("check"),
    controls: fail("controls"),
  };
}
