import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

const BIN = join(process.cwd(), "bin", "terrafix.js");

export interface DaemonProcess {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
}

/** `terrafix run` as a real process, as an operator starts it. */
export function startDaemon(env: NodeJS.ProcessEnv): DaemonProcess {
  const child = spawn(process.execPath, [BIN, "run"], { env, stdio: ["ignore", "pipe", "pipe"] });
  const chunks: string[] = [];
  child.stdout?.on("data", (c: Buffer) => chunks.push(c.toString()));
  child.stderr?.on("data", (c: Buffer) => chunks.push(c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return { child, exited, output: () => chunks.join("") };
}

/** Polls `condition` (every 100 ms, up to 2 minutes: a wait for an event, not a speed check). */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, output: () => string = () => ""): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}\n${output().slice(-3000)}`);
}
