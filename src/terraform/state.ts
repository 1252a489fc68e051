import { TerraFixError } from "../errors.js";
import { isRecord } from "./parse.js";

/**
 * Terraform state, read from either `terraform show -json` output
 * (https://developer.hashicorp.com/terraform/internals/json-format) or a raw `.tfstate` (v4).
 * Only what the matcher needs: which address holds which ARN / id.
 */
export interface StateInstance {
  /** Block address without instance keys: `module.a.aws_s3_bucket.logs`. */
  address: string;
  /** As Terraform prints it, with keys: `module.a["x"].aws_s3_bucket.logs[0]`. */
  fullAddress: string;
  mode: "managed" | "data";
  type: string;
  name: string;
  indexKey?: string | number;
  attributes: Record<string, unknown>;
}

export interface TerraformState {
  instances: StateInstance[];
}

export function loadTerraformState(json: string): TerraformState {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (error) {
    throw new TerraFixError(`state file is not JSON: ${error instanceof Error ? error.message : String(error)}`, { kind: "permanent", stage: "match" });
  }
  if (!isRecord(doc)) throw new TerraFixError("state file is not a JSON object", { kind: "permanent", stage: "match" });
  const instances: StateInstance[] = [];
  if (isRecord(doc.values)) {
    // `terraform show -json`
    const visit = (module: unknown): void => {
      if (!isRecord(module)) return;
      for (const r of Array.isArray(module.resources) ? module.resources : []) {
        if (!isRecord(r) || typeof r.address !== "string" || typeof r.type !== "string" || typeof r.name !== "string") continue;
        const index = typeof r.index === "string" || typeof r.index === "number" ? r.index : undefined;
        instances.push({
          address: stripKeys(r.address),
          fullAddress: r.address,
          mode: r.mode === "data" ? "data" : "managed",
          type: r.type,
          name: r.name,
          ...(index === undefined ? {} : { indexKey: index }),
          attributes: isRecord(r.values) ? r.values : {},
        });
      }
      for (const child of Array.isArray(module.child_modules) ? module.child_modules : []) visit(child);
    };
    visit(doc.values.root_module);
    return { instances };
  }
  if (Array.isArray(doc.resources)) {
    for (const r of doc.resources) {
      if (!isRecord(r) || typeof r.type !== "string" || typeof r.name !== "string") continue;
      const mode = r.mode === "data" ? "data" : "managed";
      const modulePrefix = typeof r.module === "string" && r.module !== "" ? `${r.module}.` : "";
      const local = `${mode === "data" ? "data." : ""}${r.type}.${r.name}`;
      for (const inst of Array.isArray(r.instances) ? r.instances : []) {
        if (!isRecord(inst)) continue;
        const key = typeof inst.index_key === "string" || typeof inst.index_key === "number" ? inst.index_key : undefined;
        const suffix = key === undefined ? "" : `[${JSON.stringify(key)}]`;
        instances.push({
          address: stripKeys(`${modulePrefix}${local}`),
          fullAddress: `${modulePrefix}${local}${suffix}`,
          mode,
          type: r.type,
          name: r.name,
          ...(key === undefined ? {} : { indexKey: key }),
          attributes: isRecord(inst.attributes) ? inst.attributes : {},
        });
      }
    }
    return { instances };
  }
  throw new TerraFixError("state file has neither `values` (terraform show -json) nor `resources` (.tfstate)", { kind: "permanent", stage: "match" });
}

function stripKeys(address: string): string {
  return address.replace(/\[("([^"\\]|\\.)*"|\d+)\]/g, "");
}

/** Managed instances whose `arn` equals the ARN, or whose `id`/`name`/`bucket` equals one of the ids. */
export function findInState(state: TerraformState, arn: string | undefined, ids: readonly string[]): StateInstance[] {
  return state.instances.filter((i) => {
    if (i.mode !== "managed") return false;
    if (arn !== undefined && i.attributes.arn === arn) return true;
    return ids.some((id) => id !== "" && (i.attributes.id === id || (arn !== undefined && i.attributes.arn === undefined && i.attributes.bucket === id)));
  });
}
