import { GitError, GitPluginError } from "simple-git";
import { describe, expect, it } from "vitest";
import { isLocalGitFailure, translateGitError, type GitOperation } from "../../../src/adapters/git/errors.js";
import { TerraFixError } from "../../../src/errors.js";

const context = (operation: GitOperation, overrides: { callerAborted?: boolean; scrub?: (text: string) => string } = {}) => ({
  repo: "acme/infra",
  operation,
  timeoutMs: 120_000,
  callerAborted: overrides.callerAborted ?? false,
  scrub: overrides.scrub ?? ((text: string) => text),
});

describe("translateGitError", () => {
  it.each<[string, GitOperation, string, RegExp]>([
    ["remote: Repository not found.\nfatal: repository 'https://github.com/acme/infra.git/' not found", "clone", "permanent", /repository acme\/infra not found/],
    ["fatal: '/x/acme/infra.git' does not appear to be a git repository\nfatal: Could not read from remote repository.", "fetch", "permanent", /not found/],
    ["fatal: unable to access 'https://github.com/acme/infra.git/': The requested URL returned error: 404", "ls-remote", "permanent", /not found/],
    ["fatal: Authentication failed for 'https://github.com/acme/infra.git/'", "fetch", "config", /authentication refused/],
    ["fatal: could not read Username for 'https://github.com': terminal prompts disabled", "clone", "config", /authentication refused/],
    ["fatal: unable to access 'https://github.com/acme/infra.git/': Could not resolve host: github.com", "clone", "transient", /git clone of acme\/infra failed/],
    ["fatal: unable to access 'https://x/': Failed to connect to x port 443: Connection refused", "fetch", "transient", /failed/],
    ["error: RPC failed; curl 56 GnuTLS recv error (-9)\nfatal: early EOF", "clone", "transient", /RPC failed/],
    ["fatal: unable to access 'https://x/': The requested URL returned error: 502", "fetch", "transient", /502/],
    ["fatal: something nobody has seen before", "fetch", "transient", /something nobody/],
    ["fatal: something nobody has seen before", "reset", "permanent", /git reset of acme\/infra failed/],
    ["fatal: not a git repository (or any of the parent directories): .git", "rev-parse", "permanent", /not a git repository/],
  ])("classifies %j from %s as %s", (stderr, operation, kind, message) => {
    const error = translateGitError(new GitError(undefined, stderr), context(operation));
    expect(error.kind).toBe(kind);
    expect(error.stage).toBe("workspace");
    expect(error.message).toMatch(message);
    expect(isLocalGitFailure(error)).toBe(!["clone", "fetch", "ls-remote"].includes(operation));
  });

  it("reports the block timeout and our own deadline as a timeout", () => {
    const error = translateGitError(new GitPluginError(undefined, "timeout", "block timeout reached"), context("clone"));
    expect(error).toMatchObject({ kind: "transient", message: "git clone of acme/infra timed out after 120s" });
  });

  it("reports the caller's abort as an abort, not a timeout", () => {
    const error = translateGitError(new GitPluginError(undefined, "abort", "Abort signal received"), context("fetch", { callerAborted: true }));
    expect(error).toMatchObject({ kind: "transient", message: "git fetch of acme/infra was aborted" });
  });

  it("scrubs the message and the cause", () => {
    const scrub = (text: string) => text.replaceAll("s3cr3t-token", "[REDACTED]");
    const error = translateGitError(new GitError(undefined, "fatal: header Authorization: Basic s3cr3t-token refused"), context("fetch", { scrub }));
    expect(error.message).not.toContain("s3cr3t-token");
    expect((error.cause as Error).message).not.toContain("s3cr3t-token");
    expect((error.cause as Error).name).toBe("GitError");
  });

  it("passes a TerraFixError through and wraps non-errors", () => {
    const original = new TerraFixError("x", { kind: "config" });
    expect(translateGitError(original, context("clone"))).toBe(original);
    expect(translateGitError("", context("reset"))).toMatchObject({ kind: "permanent", message: "git reset of acme/infra failed: no output" });
  });
});
