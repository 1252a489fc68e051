import { contextFromFiles } from "../../src/controls/context.js";
import type { ContextOptions } from "../../src/controls/context.js";
import type { ControlContext, ResourceRef } from "../../src/controls/types.js";
import { createTerraformFormatter } from "../../src/adapters/terraform-cli/fmt.js";
import { parseHclFile } from "../../src/terraform/parse.js";

/** Parses in-memory files into a control context (no repository index needed). */
export async function contextOf(files: Record<string, string>, options: ContextOptions = {}): Promise<ControlContext> {
  const parsed = await Promise.all(Object.entries(files).map(([path, text]) => parseHclFile(path, text)));
  return contextFromFiles(parsed, options);
}

export function resource(ctx: ControlContext, address: string): ResourceRef {
  const found = ctx.resources.find((r) => r.address === address);
  if (found === undefined) throw new Error(`no ${address} in ${ctx.resources.map((r) => r.address).join(", ")}`);
  return found;
}

/** terraform fmt when the binary is installed (it is in CI's image); undefined otherwise. */
export const formatter = createTerraformFormatter("terraform");
