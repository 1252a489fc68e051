import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DestinationStream } from "pino";
import { SqliteStateStore } from "../../src/adapters/sqlite/state-store.js";
import { Daemon, type DaemonOptions } from "../../src/daemon/daemon.js";
import type { RunJob } from "../../src/daemon/worker-pool.js";
import { createLogger, silentLogger, type Logger } from "../../src/observability/logger.js";
import { SecretRegistry } from "../../src/observability/secrets.js";
import type { StateStore } from "../../src/ports/state-store.js";
import type { MemorySource } from "./memory-source.js";

/** A fresh SQLite file in a temp dir: several stores on one path are several replicas. */
export function storePath(): string {
  return join(mkdtempSync(join(tmpdir(), "tf-daemon-")), "state.db");
}

/** Opens (and migrates) real SQLite stores; `closeAll` in afterEach closes the ones still open. */
export function sqliteStores(): { open(path?: string, baseDelayMs?: number): Promise<SqliteStateStore>; closeAll(): Promise<void> } {
  const open = new Set<StateStore>();
  return {
    async open(path = storePath(), baseDelayMs = 60_000) {
      const store = new SqliteStateStore({ path, logger: silentLogger(), retry: { maxAttempts: 3, baseDelayMs, maxDelayMs: 3_600_000 } });
      await store.migrate();
      const close = store.close.bind(store);
      // A test may close a store itself (to show what a shutdown did before); it is closed once.
      store.close = () => (open.delete(store) ? close() : Promise.resolve());
      open.add(store);
      return store;
    },
    async closeAll() {
      await Promise.all([...open].map((s) => s.close()));
    },
  };
}

export function daemonOn(source: MemorySource, store: StateStore, runJob: RunJob, extra: Partial<DaemonOptions> = {}): Daemon {
  return new Daemon({ source, store, runJob, logger: silentLogger(), concurrency: 2, queueSize: 2, pollIntervalMs: 60_000, leaseMs: 60_000, fullResyncHours: 24, ...extra });
}

export const publishOk: RunJob = (job) => Promise.resolve({ outcome: { type: "pr-opened", url: `https://example/pr/${job.key.slice(0, 6)}` }, timings: { publish: 5 } });

/** A job that runs until its signal aborts (then rejects, as a stage honouring the signal does); `started` resolves once it runs. */
export function untilAborted(): { runJob: RunJob; started: Promise<void>; aborted: string[] } {
  const aborted: string[] = [];
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const runJob: RunJob = (job, signal) =>
    new Promise((_resolve, reject) => {
      markStarted();
      signal.addEventListener("abort", () => {
        aborted.push(job.key);
        reject(new Error("aborted"));
      });
    });
  return { runJob, started, aborted };
}

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A real pino logger writing to an array: tests read the messages and fields it logged. */
export function capturingLogger(): { logger: Logger; lines: () => LogLine[] } {
  const raw: string[] = [];
  const destination: DestinationStream = { write: (line: string) => void raw.push(line) };
  return { logger: createLogger({ level: "debug", destination, secrets: new SecretRegistry() }), lines: () => raw.map((l) => JSON.parse(l) as LogLine) };
}
