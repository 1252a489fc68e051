import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * hcl2json (HashiCorp's HCL parser compiled to Go WASM) on a worker thread. Its runtime costs
 * ~0.26 s and ~125 MB to start and its first calls are slow (issue 17); on its own thread that
 * start and every validation overlap the tree-sitter work of the main thread (the index, the
 * catalogue, other jobs), and the main thread never loads the WASM at all.
 *
 * The worker is a short CommonJS script evaluated from a string, so it runs the same from dist/
 * and from the TypeScript sources under tsx/vitest. A validation returns only the verdict (a
 * lazily validated index builds block contents from tree-sitter); `toJson` also the JSON.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { parse } = require(workerData.hcl2json);
parentPort.on("message", ({ id, path, text, json }) => {
  parse(path, text).then(
    (result) => parentPort.postMessage({ id, error: null, json: json ? result ?? {} : undefined }),
    (error) => parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) }),
  );
});
`;

interface Reply {
  id: number;
  error: string | null;
  json?: Record<string, unknown>;
}

interface Pending {
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
}

export interface HclValidator {
  /** hcl2json's diagnostics for the file, or null when it is valid. */
  validate(path: string, text: string): Promise<string | null>;
  /** hcl2json's JSON form of the file; rejects with its diagnostics. */
  toJson(path: string, text: string): Promise<Record<string, unknown>>;
  /** Starts the runtime ahead of the first validation (idempotent). */
  warm(): void;
  /** Ends the worker; a later validate starts a new one. */
  close(): Promise<void>;
}

export function createHclValidator(): HclValidator {
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, Pending>();

  function fail(error: Error): void {
    worker = undefined;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  }

  function start(): Worker {
    if (worker !== undefined) return worker;
    const hcl2json = createRequire(import.meta.url).resolve("@cdktf/hcl2json");
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { hcl2json } });
    w.on("message", (reply: Reply) => {
      const p = pending.get(reply.id);
      if (p === undefined) return;
      pending.delete(reply.id);
      p.resolve(reply);
      // Idle: let the process end without waiting on the Go runtime's timers.
      if (pending.size === 0) w.unref();
    });
    w.on("error", (error) => {
      if (worker === w) fail(error);
    });
    w.on("exit", (code) => {
      if (worker === w) fail(new Error(`hcl2json worker exited with code ${code}`));
    });
    w.unref();
    worker = w;
    return w;
  }

  function request(path: string, text: string, json: boolean): Promise<Reply> {
    const w = start();
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      // Referenced while an answer is owed: a CLI awaiting it must not exit early.
      w.ref();
      w.postMessage({ id, path, text, json });
    });
  }

  return {
    async validate(path, text) {
      const reply = await request(path, text, false);
      return reply.error === null ? null : cleanDiagnostic(reply.error);
    },
    async toJson(path, text) {
      const reply = await request(path, text, true);
      if (reply.error !== null) throw new Error(cleanDiagnostic(reply.error));
      return reply.json ?? {};
    },
    warm() {
      start();
    },
    async close() {
      const w = worker;
      if (w === undefined) return;
      fail(new Error("hcl2json worker closed"));
      await w.terminate();
    },
  };
}

let shared: HclValidator | undefined;
/**
 * The process's worker, shared by every parse cache and parse: a Go WASM runtime is large and
 * stateless between calls (requests carry their own ids), so concurrent jobs share one.
 */
export function sharedHclValidator(): HclValidator {
  shared ??= createHclValidator();
  return shared;
}

/** hcl2json prefixes every diagnostic with "parse config: ". */
export function cleanDiagnostic(message: string): string {
  return message.replace(/^parse config: /, "").trim();
}
