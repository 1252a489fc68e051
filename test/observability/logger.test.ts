import { spawnSync } from "node:child_process";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { loadConfig, secretValues } from "../../src/config/load.js";
import { createLogger } from "../../src/observability/logger.js";
import { REDACTED, SecretRegistry } from "../../src/observability/secrets.js";
import { TerraFixError } from "../../src/errors.js";

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString("utf8"));
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}

const TOKEN = "ghp_R3alLookingT0kenValue1234567890abcd";
const CLIENT_SECRET = "vanta_secret_9f8e7d6c5b4a";
const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw\n7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFc\n-----END RSA PRIVATE KEY-----";

describe("logger redaction", () => {
  it("never writes a secret value, whatever path it takes", () => {
    const config = loadConfig({ env: { GITHUB_TOKEN: TOKEN, VANTA_CLIENT_SECRET: CLIENT_SECRET, GITHUB_APP_PRIVATE_KEY: PEM } });
    const registry = new SecretRegistry();
    for (const value of secretValues(config)) registry.add(value);
    const out = capture();
    const logger = createLogger({ level: "trace", destination: out.stream, secrets: registry }).child({ component: "test" });

    logger.info(`token in the message ${TOKEN}`);
    logger.info({ githubToken: TOKEN, nested: { deeper: { value: `Bearer ${TOKEN}` } } }, "nested field");
    logger.info({ headers: { authorization: `token ${TOKEN}` } }, "authorization header");
    logger.info({ request: { headers: { authorization: "Basic c29tZXRoaW5nLXNob3J0" } } }, "header path");
    logger.info({ config: { headers: { Authorization: `Bearer ${TOKEN}` } } }, "axios-like config");
    logger.error({ err: new TerraFixError(`GitHub rejected ${TOKEN}`, { kind: "config", cause: new Error(`inner ${CLIENT_SECRET}`) }) }, "error");
    logger.warn({ body: { client_secret: CLIENT_SECRET, client_id: "cid" } }, "oauth body");
    logger.debug({ key: PEM }, "pem as a field");
    logger.debug(`pem escaped ${JSON.stringify(PEM)}`);
    logger.debug({ line: PEM.split("\n")[1] }, "one pem line");
    logger.child({ token: TOKEN }).info("child bindings");

    const text = out.text();
    expect(text.split("\n").filter(Boolean)).toHaveLength(11);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(CLIENT_SECRET);
    expect(text).not.toContain(PEM.split("\n")[1]);
    expect(text).not.toContain("c29tZXRoaW5nLXNob3J0");
    expect(text).toContain(REDACTED);
    expect(text).toContain('"client_id":"cid"');
  });
});

describe("SecretRegistry", () => {
  it("ignores values too short to scrub safely and scrubs the longest first", () => {
    const registry = new SecretRegistry();
    registry.add("abc");
    registry.add(undefined);
    registry.add("secret-one");
    registry.add("secret-one-longer");
    expect(registry.size).toBe(2);
    expect(registry.scrub("abc secret-one-longer secret-one")).toBe(`abc ${REDACTED} ${REDACTED}`);
  });
});

describe("where logs go", () => {
  it("colours pretty logs only on a terminal", async () => {
    const piped = capture();
    createLogger({ format: "pretty", destination: piped.stream }).info("piped line");
    const tty = capture();
    Object.assign(tty.stream, { isTTY: true });
    createLogger({ format: "pretty", destination: tty.stream }).info("terminal line");
    await new Promise((resolve) => setImmediate(resolve));
    expect(piped.text()).toContain("piped line");
    // eslint-disable-next-line no-control-regex
    expect(piped.text()).not.toMatch(/\u001b\[/);
    expect(tty.text()).toContain("terminal line");
    // eslint-disable-next-line no-control-regex
    expect(tty.text()).toMatch(/\u001b\[/);
  });

  it("writes to stderr by default, JSON and pretty alike, and never to stdout", () => {
    for (const format of ["json", "pretty"]) {
      const script = `import { createLogger } from "./src/observability/logger.ts"; createLogger({ format: "${format}" }).info("hello from the logger");`;
      const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
      expect(child.status, child.stderr).toBe(0);
      expect(child.stdout).toBe("");
      expect(child.stderr).toContain("hello from the logger");
    }
  });
});
