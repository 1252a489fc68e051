import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startE2e } from "../support/e2e.js";

const BIN = join(process.cwd(), "bin", "terrafix.js");

/**
 * Issue 16, attack 5: `terrafix run` ignored SIGTERM while a Vanta request was in flight. A real
 * child process polls a fake Vanta that drips one byte every 200 ms and never finishes (the
 * request deadline is set far away, so only the signal can end it). SIGTERM must stop the poll
 * mid-request and the process must exit 0 after logging that the daemon stopped.
 */
describe("terrafix run under SIGTERM", () => {
  it("stops mid-request: the poll is aborted by the shutdown, not by a timeout", async () => {
    const e2e = await startE2e(1);
    try {
      e2e.vanta.setFault({ route: "tests", status: 200, dripMs: 200, times: 100 });
      const env = e2e.env({ TERRAFIX_HTTP_PORT: "0", TERRAFIX_POLL_INTERVAL: "1", LOG_LEVEL: "info", VANTA_REQUEST_TIMEOUT_SECONDS: "600", VANTA_POLL_MAX_SECONDS: "3600", TERRAFIX_SHUTDOWN_GRACE_SECONDS: "5" });
      const child = spawn(process.execPath, [BIN, "run"], { env, stdio: ["ignore", "pipe", "pipe"] });
      const chunks: string[] = [];
      child.stdout.on("data", (c: Buffer) => chunks.push(c.toString()));
      child.stderr.on("data", (c: Buffer) => chunks.push(c.toString()));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      // The poll's request is in flight once the fake has answered the headers of /v1/tests.
      while (!e2e.vanta.stats.log.some((r) => r.route === "tests")) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      const output = chunks.join("");
      expect(output).toContain("shutting down gracefully");
      expect(output).toContain('"msg":"daemon stopped"');
      expect(output).toContain("the Vanta poll was stopped (shutdown)");
      expect(output).not.toContain("deadline");
      expect(e2e.vanta.stats.requests.tests).toBe(1);
    } finally {
      await e2e.close();
    }
  });
});
