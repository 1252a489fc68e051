import { describe, expect, it } from "vitest";
import { gitEnv } from "../../../src/adapters/git/env.js";
import { cloneUrl, httpOrigin, validateUrlTemplate } from "../../../src/adapters/git/url.js";

describe("gitEnv", () => {
  const base = { PATH: "/usr/bin", HOME: "/home/x", EDITOR: "vim", GIT_ASKPASS: "/bin/ask", GIT_SSH_COMMAND: "ssh -i k", LC_ALL: "C", HTTPS_PROXY: "http://proxy:3128", SECRET_THING: "x" };

  it("keeps an allowlist of the environment and never prompts", () => {
    const { env, secrets } = gitEnv("file:///repos/a.git", undefined, base);
    expect(env).toEqual({ PATH: "/usr/bin", HOME: "/home/x", LC_ALL: "C", HTTPS_PROXY: "http://proxy:3128", GIT_TERMINAL_PROMPT: "0", GCM_INTERACTIVE: "never" });
    expect(secrets).toEqual([]);
  });

  it("scopes a basic auth header to the origin of an https URL", () => {
    const { env, secrets } = gitEnv("https://github.example.com:8443/acme/infra.git", "tok_123456", base);
    const basic = Buffer.from("x-access-token:tok_123456").toString("base64");
    expect(env.GIT_CONFIG_COUNT).toBe("1");
    expect(env.GIT_CONFIG_KEY_0).toBe("http.https://github.example.com:8443/.extraheader");
    expect(env.GIT_CONFIG_VALUE_0).toBe(`Authorization: Basic ${basic}`);
    expect(secrets).toEqual(["tok_123456", basic]);
  });

  it.each(["file:///repos/{owner}/{repo}.git", "git@github.com:acme/infra.git"])("sends no header over %s", (url) => {
    const { env, secrets } = gitEnv(url, "tok_123456", base);
    expect(env.GIT_CONFIG_COUNT).toBeUndefined();
    expect(secrets).toEqual(["tok_123456"]);
  });
});

describe("clone URLs", () => {
  it.each([
    ["https://github.com/{owner}/{repo}.git", "https://github.com/acme/infra.git"],
    ["file:///srv/git/{owner}/{repo}.git", "file:///srv/git/acme/infra.git"],
    ["https://ghe.example.com/{owner}/{owner}-{repo}", "https://ghe.example.com/acme/acme-infra"],
  ])("fills %s", (template, expected) => {
    validateUrlTemplate(template);
    expect(cloneUrl(template, { owner: "acme", name: "infra" })).toBe(expected);
  });

  it.each([
    ["https://github.com/x/", "https://github.com/"],
    ["http://127.0.0.1:9/a.git", "http://127.0.0.1:9/"],
    ["file:///x", undefined],
    ["not a url", undefined],
  ])("the origin of %s is %s", (url, origin) => {
    expect(httpOrigin(url)).toBe(origin);
  });
});
