import type { ParseCache } from "./cache.js";
import type { HclBlock, ParsedFile } from "./parse.js";
import type { ModuleScope } from "./resolve.js";
import type { Value } from "./values.js";

export interface IndexedResource {
  /** Full address without instance keys, e.g. `module.a.module.b.aws_x.y`. */
  address: string;
  mode: "managed" | "data";
  type: string;
  name: string;
  /** Module call names from the root module, e.g. `["a", "b"]`. */
  modulePath: string[];
  /** Path relative to the index root, forward slashes. */
  file: string;
  block: HclBlock;
  /** Full addresses of the resources, data sources and module calls this block refers to. */
  references: string[];
  referencedBy: string[];
  /** The root module directory this address belongs to (relative; "" for the repository root). */
  rootDir: string;
  /** Evaluation scopes of the enclosing module (one per tfvars variant and module instance). */
  scopes: ModuleScope[];
}

export interface IndexedModuleCall {
  address: string;
  name: string;
  source: string;
  version?: string;
  /** `source` is a local path (`./x`, `../x`): the module's code is in this repository. */
  local: boolean;
  file: string;
  block: HclBlock;
  /** Raw inputs as hcl2json gives them (expressions as `${...}` strings). */
  inputs: Record<string, unknown>;
  modulePath: string[];
  rootDir: string;
  /** Scopes of the module that contains the call (inputs are evaluated there). */
  scopes: ModuleScope[];
}

export interface IndexError {
  file: string;
  message: string;
}

/** A path the index did not read, and why (reported by `index`, `check` and `match`). */
export interface SkippedPath {
  file: string;
  reason: "outside-checkout" | "too-large";
  message: string;
}

export interface RepositoryIndex {
  root: string;
  files: Map<string, ParsedFile>;
  resources: IndexedResource[];
  moduleCalls: IndexedModuleCall[];
  /** Directories indexed as root modules (relative). */
  rootModules: string[];
  /** Root module dir -> provider alias ("" = default) -> the known region(s) of that AWS provider. */
  providerRegions: Map<string, Map<string, string[]>>;
  /** Root module dir -> provider alias ("" = default) -> value-set label -> evaluated `default_tags.tags`. */
  providerDefaultTags?: Map<string, Map<string, Map<string, Value>>>;
  awsProviderMajor?: number;
  errors: IndexError[];
  /** Paths not read: symlinks leaving the checkout, files over the size cap. */
  skipped?: SkippedPath[];
  /** The first resource with this address (several root modules may share addresses). */
  resourceByAddress(address: string): IndexedResource | undefined;
  resourcesByAddress(address: string): IndexedResource[];
  moduleCallByAddress(address: string): IndexedModuleCall | undefined;
  /** Files hcl2json rejected after indexing (lazy validation); the matcher never answers with them. */
  invalidFiles: Set<string>;
  /**
   * Runs the real HCL parser over files indexed with `validation: "lazy"` (default: all not yet
   * validated), records failures in `errors` and `invalidFiles`, and returns them.
   */
  validate(files?: readonly string[]): Promise<IndexError[]>;
}

/** Default of IndexOptions.maxFileBytes (TERRAFIX_MAX_FILE_BYTES): far above hand-written Terraform. */
export const DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024;

export interface IndexOptions {
  /** Files over this many bytes are skipped (reported in `skipped`), never parsed. */
  maxFileBytes?: number;
  /** Index only this folder of the repository (e.g. `infra/prod`); files stay relative to the root. */
  subPath?: string;
  cache?: ParseCache;
  /**
   * `eager` (default): every file passes hcl2json while indexing. `lazy`: `.tf` files are located
   * with tree-sitter only and hcl2json checks just the files a match uses (`validate`,
   * `matchResourceValidated`): the WASM parser dominates cold indexing at scale.
   */
  validation?: "eager" | "lazy";
}
