import { spawn } from "node:child_process";
import { join } from "node:path";

const CHILD = join(import.meta.dirname, "claim-child.ts");

export interface ChildLine {
  ready?: boolean;
  claimed?: string[];
}

export interface RunningChild {
  /** Resolves on the child's first output line. */
  firstLine: Promise<ChildLine>;
  /** Resolves when the child has exited (a non-zero exit code rejects). */
  exit: Promise<{ signal: NodeJS.Signals | null; lines: ChildLine[] }>;
  send(line: string): void;
}

/**
 * Starts claim-child.ts as a direct node process with the tsx loader (not `npx tsx`: a wrapper
 * process would turn the child's SIGKILL into an exit code).
 */
export function startClaimChild(args: string[]): RunningChild {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  let onFirst: (line: ChildLine) => void = () => undefined;
  const firstLine = new Promise<ChildLine>((resolve) => (onFirst = resolve));
  // Complete lines only: a chunk may end mid-line.
  const parse = (): ChildLine[] =>
    out
      .split("\n")
      .slice(0, -1)
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as ChildLine);
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    const [first] = parse();
    if (first !== undefined) onFirst(first);
  });
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<{ signal: NodeJS.Signals | null; lines: ChildLine[] }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code !== null && code !== 0) reject(new Error(`claim child exited with ${code}: ${err}`));
      else resolve({ signal, lines: parse() });
    });
  });
  // A child that dies before its first line must not leave firstLine pending forever.
  exit.then(
    (result) => onFirst(result.lines[0] ?? {}),
    () => onFirst({}),
  );
  return { firstLine, exit, send: (line) => child.stdin.write(`${line}\n`) };
}
