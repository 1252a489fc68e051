import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDockerfile, type DockerInstruction } from "./dockerfile.js";

/**
 * Static checks of the Dockerfile (Docker cannot run in CI here): every build-context path it
 * copies exists, base images are pinned, the runtime stage is non-root with a health check, and
 * the terraform download is verified against pinned checksums.
 */
const root = join(import.meta.dirname, "..", "..");
const dockerfile = parseDockerfile(readFileSync(join(root, "Dockerfile"), "utf8"));
const finalStage = dockerfile.stages[dockerfile.stages.length - 1]!;

function args(stageInstructions: DockerInstruction[], keyword: string): DockerInstruction[] {
  return stageInstructions.filter((i) => i.keyword === keyword);
}

describe("parseDockerfile", () => {
  it.each([
    ["joins continuation lines", "FROM a:1.2.3\nRUN echo a \\\n  && echo b\n", "RUN", "echo a && echo b"],
    ["drops comments inside continuations", "FROM a:1.2.3\nRUN echo a \\\n# note\n  && echo b\n", "RUN", "echo a && echo b"],
    ["keeps exec form", 'FROM a:1.2.3\nCMD ["run"]\n', "CMD", '["run"]'],
  ])("%s", (_name, text, keyword, expected) => {
    const parsed = parseDockerfile(text);
    const instruction = parsed.stages[0]!.instructions.find((i) => i.keyword === keyword);
    expect(instruction?.args).toBe(expected);
  });

  it("resolves global ARG defaults in FROM and names stages", () => {
    const parsed = parseDockerfile("ARG IMG=node:1.2.3-slim\nFROM ${IMG} AS one\nFROM one\n");
    expect(parsed.stages.map((s) => [s.image, s.name])).toEqual([
      ["node:1.2.3-slim", "one"],
      ["one", undefined],
    ]);
  });

  it("lists COPY sources from the build context, not from other stages", () => {
    const parsed = parseDockerfile("FROM a:1.2.3 AS b\nCOPY --chown=1:1 x y ./\nCOPY --from=b /app/z ./\n");
    expect(parsed.contextCopySources).toEqual(["x", "y"]);
  });
});

describe("Dockerfile", () => {
  it("copies only paths that exist in the repository", () => {
    expect(dockerfile.contextCopySources.length).toBeGreaterThan(0);
    const missing = dockerfile.contextCopySources.filter((source) => !existsSync(join(root, source)));
    expect(missing).toEqual([]);
  });

  it("copies nothing that .dockerignore excludes", () => {
    const ignore = readFileSync(join(root, ".dockerignore"), "utf8");
    const excluded = dockerfile.contextCopySources.filter((source) => isIgnored(ignore, source.replace(/\/$/, "")));
    expect(excluded).toEqual([]);
    // And the ignore file does keep everything else out (node_modules, tests, .git).
    expect(["node_modules", "test", ".git", "infra", "dist"].filter((p) => !isIgnored(ignore, p))).toEqual([]);
  });

  it("pins every external base image to an exact version", () => {
    const stageNames = new Set(dockerfile.stages.map((s) => s.name).filter((n) => n !== undefined));
    const external = dockerfile.stages.map((s) => s.image).filter((image) => !stageNames.has(image));
    expect(external.length).toBeGreaterThan(0);
    for (const image of external) {
      expect(image).toMatch(/^[\w./-]+:\d+\.\d+\.\d+(-[\w.-]+)?(@sha256:[0-9a-f]{64})?$/);
    }
    expect(external.every((image) => image.startsWith("node:22."))).toBe(true);
  });

  it("is multi-stage and runs the final stage as a non-root user", () => {
    expect(dockerfile.stages.length).toBeGreaterThan(1);
    const users = args(finalStage.instructions, "USER");
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1]!.args.split(":")[0]!;
    expect(["root", "0", ""]).not.toContain(user);
  });

  it("has a HEALTHCHECK on /healthz in the final stage, the terrafix entry point and `run`", () => {
    const health = args(finalStage.instructions, "HEALTHCHECK");
    expect(health).toHaveLength(1);
    expect(health[0]!.args).toContain("/healthz");
    expect(health[0]!.args).toContain("TERRAFIX_HTTP_PORT");
    expect(args(finalStage.instructions, "ENTRYPOINT")[0]?.args).toBe('["node", "/app/bin/terrafix.js"]');
    expect(args(finalStage.instructions, "CMD")[0]?.args).toBe('["run"]');
    expect(args(finalStage.instructions, "VOLUME")[0]?.args).toContain("/app/data");
  });

  it("verifies the pinned terraform download against 64-hex SHA-256 checksums", () => {
    const checksums = Object.entries(dockerfile.globalArgs).filter(([name]) => name.startsWith("TERRAFORM_SHA256"));
    expect(checksums.length).toBeGreaterThanOrEqual(1);
    for (const [, value] of checksums) expect(value).toMatch(/^[0-9a-f]{64}$/);
    expect(dockerfile.globalArgs.TERRAFORM_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    const runs = dockerfile.stages.flatMap((s) => args(s.instructions, "RUN")).map((i) => i.args);
    const download = runs.find((r) => r.includes("releases.hashicorp.com/terraform/"));
    expect(download).toBeDefined();
    expect(download).toMatch(/sha256sum -c/);
  });

  it("installs production dependencies only, running install scripts only for allowScripts packages", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { allowScripts: Record<string, boolean> };
    const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
    // Packages only development needs (the embedded PostgreSQL of the tests) are not in the image.
    const allowed = Object.entries(pkg.allowScripts)
      .filter(([name, ok]) => ok && lock.packages[`node_modules/${name}`]?.dev !== true)
      .map(([name]) => name)
      .sort();
    const runs = dockerfile.stages.flatMap((s) => args(s.instructions, "RUN")).map((i) => i.args);
    const prodInstall = runs.find((r) => r.includes("npm ci --omit=dev"));
    expect(prodInstall).toContain("--ignore-scripts");
    const rebuilt = /npm rebuild ([^&;]+)/.exec(prodInstall ?? "")?.[1]?.trim().split(/\s+/).sort();
    expect(rebuilt).toEqual(allowed);
    expect(runs.some((r) => r.includes("npm run build"))).toBe(true);
    // The runtime stage gets node_modules from the production-only stage, not from the build stage.
    const fromCopies = args(finalStage.instructions, "COPY").map((i) => i.args);
    const nodeModules = fromCopies.find((c) => c.includes("node_modules"));
    const prodStage = dockerfile.stages.find((s) => s.instructions.some((i) => i.args.includes("npm ci --omit=dev")));
    expect(nodeModules).toContain(`--from=${prodStage?.name}`);
  });

  it("ships compiled JavaScript, not sources, so bin/terrafix.js runs dist/ (the prepare build cannot run in npm ci here)", () => {
    const copies = args(finalStage.instructions, "COPY").map((i) => i.args);
    const buildStage = dockerfile.stages.find((s) => s.instructions.some((i) => i.keyword === "RUN" && i.args.includes("npm run build")));
    expect(copies).toContain(`--from=${buildStage?.name} /app/dist ./dist`);
    expect(copies.some((c) => c.startsWith("bin "))).toBe(true);
    expect(copies.some((c) => /(^|\s)src\b/.test(c) && !c.startsWith("--from"))).toBe(false);
    // `prepare` (scripts/prepare.js) is not in the image's build context: every npm ci skips scripts.
    const installs = dockerfile.stages.flatMap((s) => args(s.instructions, "RUN")).map((i) => i.args).filter((r) => r.includes("npm ci"));
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install).toContain("--ignore-scripts");
  });

  it("installs git in the runtime image", () => {
    const runs = args(finalStage.instructions, "RUN").map((i) => i.args);
    expect(runs.some((r) => /apt-get install[^&]*\bgit\b/.test(r))).toBe(true);
  });
});

/** .dockerignore semantics: patterns in order, the last match wins, `!` re-includes; a parent match covers children. */
function isIgnored(ignoreFile: string, path: string): boolean {
  const patterns = ignoreFile
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith("#"));
  const segments = path.split("/");
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith("!");
    const pattern = (negate ? raw.slice(1) : raw).replace(/\/$/, "");
    const regex = new RegExp(
      "^" +
        pattern
          .split("**")
          .map((part) => part.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]"))
          .join(".*") +
        "$",
    );
    const matches = segments.some((_, i) => regex.test(segments.slice(0, i + 1).join("/")));
    if (matches) ignored = !negate;
  }
  return ignored;
}
