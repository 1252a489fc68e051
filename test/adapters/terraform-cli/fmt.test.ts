import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTerraformFormatter } from "../../../src/adapters/terraform-cli/fmt.js";

describe("createTerraformFormatter", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tf-fmt-"));
    // A stand-in binary with terraform's contract for `fmt -`: formatted text on stdout, exit 2 on bad input.
    await writeFile(join(dir, "terraform"), '#!/bin/sh\nPATH=/usr/bin:/bin\ninput=$(cat)\ncase "$input" in *BROKEN*) exit 2;; esac\nprintf "%s\\n" "$input" | sed "s/  *= */ = /"\n');
    await chmod(join(dir, "terraform"), 0o755);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("is undefined when the binary is not on PATH", () => {
    expect(createTerraformFormatter("terraform", { PATH: "/nonexistent" })).toBeUndefined();
    expect(createTerraformFormatter("/nonexistent/terraform")).toBeUndefined();
  });

  it("pipes the text through `terraform fmt -` found on PATH", async () => {
    const fmt = createTerraformFormatter("terraform", { PATH: dir });
    expect(fmt).toBeDefined();
    expect(await fmt?.("a    = 1")).toBe("a = 1\n");
    expect(await fmt?.("BROKEN")).toBeNull();
  });

  const real = createTerraformFormatter("terraform");
  it.skipIf(real === undefined)("formats with the real terraform (needs terraform on PATH)", async () => {
    if (real === undefined) throw new Error("unreachable: skipped without terraform");
    expect(await real('resource "a" "b" {\n  x = 1\n  long = 2\n}\n')).toBe('resource "a" "b" {\n  x    = 1\n  long = 2\n}\n');
    expect(await real('resource "a" {\n')).toBeNull();
  });
});
