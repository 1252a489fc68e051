import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderConfigTable, renderEnvExample, README_END, README_START } from "../../src/config/docs.js";
import { ConfigError, loadConfig, requireFor, secretValues } from "../../src/config/load.js";
import { OPTIONS, optionEntries } from "../../src/config/options.js";

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("applies the defaults of ARCHITECTURE.md with an empty environment", () => {
    const config = loadConfig({ env: {} });
    expect(config.vantaApiUrl).toBe("https://api.vanta.com");
    expect(config.githubApiUrl).toBe("https://api.github.com");
    expect(config.gitUrlTemplate).toBe("https://github.com/{owner}/{repo}.git");
    expect(config.source).toBe("vanta");
    expect(config.publisher).toBe("github");
    expect(config.generator).toBe("auto");
    expect(config.stateUrl).toBe("./data/terrafix.db");
    expect(config.bedrockModelId).toBe("global.anthropic.claude-sonnet-5-5");
    expect(config.repositories).toEqual([]);
    expect(config.vantaClientSecret).toBeUndefined();
  });

  it("parses numbers, booleans and lists from the environment", () => {
    const config = loadConfig({
      env: { TERRAFIX_CONCURRENCY: "8", VANTA_ENRICH: "yes", TERRAFIX_REPOSITORIES: "acme/infra, acme/platform:tf ,", TERRAFIX_POLL_INTERVAL: " 60 " },
    });
    expect(config.concurrency).toBe(8);
    expect(config.vantaEnrich).toBe(true);
    expect(config.repositories).toEqual(["acme/infra", "acme/platform:tf"]);
    expect(config.pollIntervalSeconds).toBe(60);
  });

  it("reports every invalid option at once, each with its variable and key", () => {
    const error = configError(() =>
      loadConfig({
        env: { TERRAFIX_CONCURRENCY: "many", TERRAFIX_PUBLISHER: "email", VANTA_API_URL: "not a url", TERRAFIX_SOURCE: "s3://x", TERRAFIX_POLL_INTERVAL: "0" },
      }),
    );
    expect(error.kind).toBe("config");
    expect(error.issues.map((i) => i.env).sort()).toEqual(
      ["TERRAFIX_CONCURRENCY", "TERRAFIX_POLL_INTERVAL", "TERRAFIX_PUBLISHER", "TERRAFIX_SOURCE", "VANTA_API_URL"].sort(),
    );
    expect(error.message).toContain("5 problems");
    expect(error.message).toContain("TERRAFIX_CONCURRENCY (concurrency): must be a whole number");
    expect(error.message).toContain("TERRAFIX_SOURCE (source): must be 'vanta' or 'file:PATH'");
  });

  it("treats an empty variable as unset", () => {
    expect(loadConfig({ env: { BEDROCK_ENDPOINT_URL: "", TERRAFIX_CONCURRENCY: "" } }).concurrency).toBe(4);
  });

  it("reads a YAML file by key or variable name; the environment wins over it", () => {
    const dir = mkdtempSync(join(tmpdir(), "tf-config-"));
    const file = join(dir, "terrafix.yml");
    writeFileSync(file, "concurrency: 3\nTERRAFIX_PUBLISHER: dry-run\nrepositories: [acme/a, acme/b]\nvantaEnrich: true\n");
    const config = loadConfig({ env: { TERRAFIX_CONFIG: file, TERRAFIX_CONCURRENCY: "5" } });
    expect(config.concurrency).toBe(5);
    expect(config.publisher).toBe("dry-run");
    expect(config.repositories).toEqual(["acme/a", "acme/b"]);
    expect(config.vantaEnrich).toBe(true);
  });

  it("reports unknown YAML keys, unreadable and malformed files", () => {
    const dir = mkdtempSync(join(tmpdir(), "tf-config-"));
    const file = join(dir, "bad.yml");
    writeFileSync(file, "concurency: 3\nconcurrency: zero\n");
    const error = configError(() => loadConfig({ env: {}, file }));
    expect(error.issues.map((i) => i.option).sort()).toEqual(["concurency", "concurrency"]);
    expect(configError(() => loadConfig({ env: {}, file: join(dir, "missing.yml") })).message).toContain("cannot read");
    writeFileSync(file, "- a list\n");
    expect(configError(() => loadConfig({ env: {}, file })).message).toContain("must hold a mapping");
    writeFileSync(file, "a: [unclosed\n");
    expect(configError(() => loadConfig({ env: {}, file })).message).toContain("not valid YAML");
  });

  it.each([
    ["a broken flow list after the token", "githubToken: ghp_live0SECRET0value0000000000000000\nrepositories: [acme/a,\n  bad: \"x\n", 4],
    ["a tab-indented line holding the token", "concurrency: 3\nvanta:\n\tclientSecret: ghp_live0SECRET0value0000000000000000\n", 3],
    ["an unclosed quote in the token's value", 'githubToken: "ghp_live0SECRET0value0000000000000000\n', 2],
  ])("a YAML syntax error (%s) names the code and line, never the line's text", (_name, text, line) => {
    // Issue 16: the parser's message quoted the line, so a token printed in clear.
    const dir = mkdtempSync(join(tmpdir(), "tf-config-"));
    const file = join(dir, "terrafix.yml");
    writeFileSync(file, text);
    const error = configError(() => loadConfig({ env: {}, file }));
    expect(error.message).toMatch(new RegExp(`not valid YAML: YAML error [A-Z_]+ at line ${line}, column \\d+`));
    expect(error.message).not.toContain("SECRET");
    expect(JSON.stringify(error.issues)).not.toContain("SECRET");
  });

  it("requireFor reports every option a purpose needs", () => {
    const config = loadConfig({ env: {} });
    const error = configError(() => requireFor(config, ["work-jobs", "poll-vanta", "publish-github"]));
    expect(error.issues.map((i) => i.env)).toEqual(["TERRAFIX_REPOSITORIES", "VANTA_CLIENT_ID", "VANTA_CLIENT_SECRET", "GITHUB_TOKEN"]);
    // Any publisher (dry-run, local) needs a repository to search: the check is its own purpose.
    expect(configError(() => requireFor(config, ["work-jobs"])).issues.map((i) => i.env)).toEqual(["TERRAFIX_REPOSITORIES"]);
    const app = loadConfig({ env: { GITHUB_APP_ID: "1", TERRAFIX_REPOSITORIES: "a/b" } });
    expect(configError(() => requireFor(app, ["publish-github"])).issues.map((i) => i.env)).toEqual([
      "GITHUB_APP_PRIVATE_KEY",
      "GITHUB_APP_INSTALLATION_ID",
    ]);
    expect(() => requireFor(loadConfig({ env: { GITHUB_TOKEN: "ghp_x", TERRAFIX_REPOSITORIES: "a/b" } }), ["publish-github"])).not.toThrow();
  });

  it("lists the values of the secret options", () => {
    const config = loadConfig({ env: { VANTA_CLIENT_SECRET: "vcs_secret_value", GITHUB_TOKEN: "ghp_token_value", VANTA_CLIENT_ID: "id" } });
    expect(secretValues(config).sort()).toEqual(["ghp_token_value", "vcs_secret_value"]);
  });
});

describe("option table", () => {
  it("keeps the variable names operators rely on (ARCHITECTURE.md)", () => {
    const envs = new Set(optionEntries().map(([, spec]) => spec.env));
    for (const name of [
      "VANTA_CLIENT_ID", "VANTA_CLIENT_SECRET", "VANTA_API_URL", "GITHUB_TOKEN", "GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY",
      "GITHUB_APP_INSTALLATION_ID", "GITHUB_API_URL", "TERRAFIX_REPOSITORIES", "TERRAFIX_GIT_URL_TEMPLATE", "TERRAFIX_SOURCE",
      "TERRAFIX_PUBLISHER", "TERRAFIX_DRY_RUN_DIR", "TERRAFIX_GENERATOR", "BEDROCK_MODEL_ID", "AWS_REGION", "BEDROCK_ENDPOINT_URL",
      "TERRAFIX_STATE_URL", "TERRAFIX_CONCURRENCY", "TERRAFIX_POLL_INTERVAL",
    ])
      expect(envs.has(name), name).toBe(true);
  });

  it("has unique variables, a description for each, and every default valid", () => {
    const envs = optionEntries().map(([, spec]) => spec.env);
    expect(new Set(envs).size).toBe(envs.length);
    for (const [key, spec] of optionEntries()) {
      expect(spec.description.length, key).toBeGreaterThan(5);
      if (spec.default !== undefined) expect(spec.schema.safeParse(spec.default).success, key).toBe(true);
    }
    expect(OPTIONS.githubToken.secret).toBe(true);
  });

  it(".env.example is generated from the schema (run npm run docs:config)", () => {
    expect(readFileSync(".env.example", "utf8")).toBe(renderEnvExample());
  });

  it("README's configuration table is generated from the schema (run npm run docs:config)", () => {
    const readme = readFileSync("README.md", "utf8");
    const section = readme.slice(readme.indexOf(README_START) + README_START.length, readme.indexOf(README_END)).trim();
    expect(section).toBe(renderConfigTable());
  });
});
