import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";

/** Formats HCL text; null when terraform could not (syntax error, crash, timeout). */
export type Formatter = (text: string) => Promise<string | null>;

const TIMEOUT_MS = 30_000;

/**
 * `terraform fmt -` as a function for the fmt verification gate, or undefined when the binary is
 * not installed (the gate is then skipped and says so). `fmt -` reads stdin and writes the
 * formatted text to stdout: https://developer.hashicorp.com/terraform/cli/commands/fmt
 */
export function createTerraformFormatter(binary: string, env: NodeJS.ProcessEnv = process.env): Formatter | undefined {
  const path = findExecutable(binary, env.PATH ?? "");
  if (path === undefined) return undefined;
  return (text) =>
    new Promise((resolve) => {
      const child = spawn(path, ["fmt", "-no-color", "-"], { stdio: ["pipe", "pipe", "ignore"], env: { ...env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" } });
      const chunks: Buffer[] = [];
      const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
      child.stdout.on("data", (c: Buffer) => chunks.push(c));
      child.on("error", () => {
        clearTimeout(timer);
        resolve(null);
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve(code === 0 ? Buffer.concat(chunks).toString("utf8") : null);
      });
      child.stdin.on("error", () => undefined);
      child.stdin.end(text);
    });
}

function findExecutable(binary: string, pathVar: string): string | undefined {
  const candidates = binary.includes("/") || isAbsolute(binary) ? [binary] : pathVar.split(delimiter).filter(Boolean).map((dir) => join(dir, binary));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next PATH entry
    }
  }
  return undefined;
}
