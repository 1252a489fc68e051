import { GitError, GitPluginError } from "simple-git";
import { TerraFixError, type ErrorKind } from "../../errors.js";

export type GitOperation = "clone" | "ls-remote" | "fetch" | "reset" | "clean" | "rev-parse" | "checkout";

export interface GitErrorContext {
  /** owner/name, for the message. */
  repo: string;
  operation: GitOperation;
  timeoutMs: number;
  /** True when the caller's own signal aborted (the job was cancelled), not our timeout. */
  callerAborted: boolean;
  /** Removes secrets from text that came from git. */
  scrub: (text: string) => string;
}

const NETWORK_OPERATIONS = new Set<GitOperation>(["clone", "ls-remote", "fetch"]);

/** Errors of operations on the local clone only: the clone is broken and a fresh clone repairs it. */
const localFailures = new WeakSet<TerraFixError>();

export function isLocalGitFailure(error: unknown): boolean {
  return error instanceof TerraFixError && localFailures.has(error);
}

/** stderr of a repository that is gone, renamed, or hidden from this token (GitHub answers 404 for both). */
const NOT_FOUND = [
  /repository '.*' not found/i,
  /does not appear to be a git repository/i,
  /returned error: 404/i,
  /\b404 Not Found\b/i,
  /no such (repository|file or directory)/i,
];
const AUTH = [/authentication failed/i, /could not read (username|password)/i, /terminal prompts disabled/i, /returned error: 40[13]/i];
const NETWORK = [
  /could not resolve (host|proxy)/i,
  /failed to connect/i,
  /connection (refused|reset|timed out)/i,
  /operation timed out/i,
  /timed out after/i,
  /early EOF/i,
  /RPC failed/i,
  /unexpected disconnect/i,
  /remote end hung up/i,
  /(gnutls|ssl|tls)[ _]/i,
  /returned error: (5\d\d|429)/i,
  /no space left on device/i,
];

/**
 * The one translation of git failures into TerraFixError. Messages are fixed text plus the
 * scrubbed last line of git's stderr; the token cannot reach them even if git echoed a header.
 */
export function translateGitError(error: unknown, context: GitErrorContext): TerraFixError {
  if (error instanceof TerraFixError) return error;
  const base = { stage: "workspace" as const, cause: scrubCause(error, context.scrub) };
  const what = `git ${context.operation} of ${context.repo}`;
  if (error instanceof GitPluginError && (error.plugin === "timeout" || error.plugin === "abort")) {
    const message = context.callerAborted
      ? `${what} was aborted`
      : `${what} timed out after ${Math.round(context.timeoutMs / 1000)}s`;
    return new TerraFixError(message, { kind: "transient", ...base });
  }
  const output = context.scrub(error instanceof Error ? error.message : String(error));
  const detail = summary(output);
  const kind = classify(output, context.operation);
  const message =
    kind === "permanent" && NOT_FOUND.some((pattern) => pattern.test(output)) && NETWORK_OPERATIONS.has(context.operation)
      ? `repository ${context.repo} not found at the configured URL (deleted, renamed, or not visible to the token): ${detail}`
      : kind === "config"
        ? `${what} failed: authentication refused, check the git token: ${detail}`
        : `${what} failed: ${detail}`;
  const translated = new TerraFixError(message, { kind, ...base });
  if (!NETWORK_OPERATIONS.has(context.operation)) localFailures.add(translated);
  return translated;
}

function classify(detail: string, operation: GitOperation): ErrorKind {
  if (NETWORK.some((pattern) => pattern.test(detail))) return "transient";
  if (NOT_FOUND.some((pattern) => pattern.test(detail))) return "permanent";
  if (AUTH.some((pattern) => pattern.test(detail))) return "config";
  // An unrecognised failure of a network operation is more likely a flaky remote than a bug;
  // local operations failing (corrupt clone) are not helped by waiting.
  return NETWORK_OPERATIONS.has(operation) ? "transient" : "permanent";
}

/** git's `fatal:`/`error:` lines say what went wrong; the advice lines after them do not. */
function summary(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const errors = lines.filter((line) => /^(fatal|error|remote):/i.test(line));
  return (errors.length > 0 ? errors.slice(0, 2) : lines.slice(-2)).join(" | ").slice(0, 500) || "no output";
}

/** The cause keeps the error's type and a scrubbed message, never the raw one. */
function scrubCause(error: unknown, scrub: (text: string) => string): Error {
  const message = scrub(error instanceof Error ? error.message : String(error));
  const cause = new Error(message);
  cause.name = error instanceof GitError ? error.constructor.name : error instanceof Error ? error.name : "Error";
  return cause;
}
