import { kindForTerraformType } from "../domain/resource-kinds.js";
import { evaluateJson, type EvalContext } from "./expr.js";
import { isRecord } from "./parse.js";
import { dataSourceObject, randomAttributes, variableHole, type VariableSpec } from "./typed-unknowns.js";
import { UNKNOWN, isObjectValue, type Value } from "./values.js";

/**
 * Value resolution far enough to compare names (ARCHITECTURE.md "Matching"): variables (call
 * inputs, tfvars, defaults), locals, references to sibling resources, and count/for_each over
 * literal collections. Whatever is not known becomes UNKNOWN (a wildcard), or a typed Hole when
 * the code says what it is (typed-unknowns.ts).
 */
export interface ModuleDefinition {
  dir: string;
  /** Variable name -> raw default (undefined when the variable has none). */
  variables: Map<string, unknown>;
  locals: Map<string, unknown>;
  /** `type.name` -> raw body of managed resources in this module. */
  resources: Map<string, Record<string, unknown>>;
  /** Data source type -> the names of its `data` blocks in this module. */
  data?: Map<string, string[]>;
  /** Variable name -> its `type` and `validation` (for variables nobody sets). */
  variableSpecs?: Map<string, VariableSpec>;
}

/** Resources whose `id` attribute is their name, so `aws_s3_bucket.x.id` resolves. */
const ID_IS_NAME = new Set(["aws_s3_bucket", "aws_iam_role", "aws_iam_user", "aws_iam_group", "aws_dynamodb_table", "aws_cloudwatch_log_group", "aws_sqs_queue"]);
const MAX_INSTANCES = 64;

export class ModuleScope implements EvalContext {
  private readonly localValues = new Map<string, Value>();
  private readonly resourceValues = new Map<string, Value>();
  private readonly inProgress = new Set<string>();

  constructor(
    readonly definition: ModuleDefinition,
    /** Values given by the module call (child modules) or by tfvars (root modules). */
    readonly inputs: Record<string, Value>,
    /** Human label of this variant, e.g. `prod.tfvars` or `module.a["x"]`. */
    readonly label: string,
  ) {}

  ref(root: string, first: string): Value | undefined {
    switch (root) {
      case "var":
        return this.variable(first);
      case "local":
        return this.memo(`local.${first}`, this.localValues, first, () => this.definition.locals.get(first));
      case "data":
        return this.dataSource(first);
      case "each":
      case "count":
      case "module":
      case "path":
      case "terraform":
      case "self":
        return undefined;
      default:
        return this.memo(`${root}.${first}`, this.resourceValues, `${root}.${first}`, () => this.definition.resources.get(`${root}.${first}`), (body, v) => resourceObject(root, body, v));
    }
  }

  private variable(name: string): Value | undefined {
    if (Object.hasOwn(this.inputs, name)) return this.inputs[name];
    if (!this.definition.variables.has(name)) return undefined;
    const raw = this.definition.variables.get(name);
    return raw === undefined ? variableHole(name, this.definition.variableSpecs?.get(name)) : evaluateJson(raw, EMPTY);
  }

  /** `data.TYPE` as an object of its blocks' typed attributes, for the data sources typed-unknowns.ts knows. */
  private dataSource(type: string): Value | undefined {
    const names = this.definition.data?.get(type);
    const object = dataSourceObject(type);
    if (names === undefined || object === undefined) return undefined;
    return Object.fromEntries(names.map((n) => [n, object]));
  }

  private memo(
    guard: string,
    cache: Map<string, Value>,
    key: string,
    raw: () => unknown,
    wrap: (raw: Record<string, unknown>, value: Value) => Value = (_r, v) => v,
  ): Value | undefined {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const source = raw();
    if (source === undefined || this.inProgress.has(guard)) return undefined;
    this.inProgress.add(guard);
    try {
      const value = wrap(isRecord(source) ? source : {}, evaluateJson(source, this));
      cache.set(key, value);
      return value;
    } finally {
      this.inProgress.delete(guard);
    }
  }
}

const EMPTY: EvalContext = { ref: () => undefined };

function resourceObject(type: string, _raw: Record<string, unknown>, value: Value): Value {
  if (!isObjectValue(value)) return UNKNOWN;
  const random = randomAttributes(type, value);
  if (random !== undefined) return { ...value, ...random };
  const nameAttr = kindForTerraformType(type)?.nameAttribute;
  const id = ID_IS_NAME.has(type) && nameAttr !== undefined ? (value[nameAttr] ?? UNKNOWN) : UNKNOWN;
  return { ...value, id, arn: UNKNOWN };
}

export interface Instance {
  /** `count.index` or `each.key`; undefined for a block without count/for_each. */
  key?: string | number;
  ctx: EvalContext;
}

/** Expands `count` / `for_each` over literal collections; an unknown collection gives one wildcard instance. */
export function expandInstances(body: Record<string, unknown> | null, base: EvalContext): Instance[] {
  if (body === null) return [{ ctx: base }];
  if (body.count !== undefined) {
    const count = evaluateJson(body.count, base);
    if (typeof count === "number" && count >= 0 && count <= MAX_INSTANCES)
      return Array.from({ length: count }, (_v, i) => ({ key: i, ctx: withRefs(base, { count: { index: i } }) }));
    return [{ ctx: withRefs(base, { count: { index: UNKNOWN } }) }];
  }
  if (body.for_each !== undefined) {
    const each = evaluateJson(body.for_each, base);
    // A known empty collection creates nothing, like `count = 0`: the block does not exist there.
    if ((Array.isArray(each) && each.length === 0) || (isObjectValue(each) && Object.keys(each).length === 0)) return [];
    const pairs: [string, Value][] = Array.isArray(each)
      ? each.filter((v): v is string => typeof v === "string").map((v) => [v, v])
      : isObjectValue(each)
        ? Object.entries(each)
        : [];
    if (pairs.length > 0 && pairs.length <= MAX_INSTANCES && (!Array.isArray(each) || pairs.length === each.length))
      return pairs.map(([key, value]) => ({ key, ctx: withRefs(base, { each: { key, value } }) }));
    return [{ ctx: withRefs(base, { each: { key: UNKNOWN, value: UNKNOWN } }) }];
  }
  return [{ ctx: base }];
}

function withRefs(base: EvalContext, extra: Record<string, Record<string, Value>>): EvalContext {
  return {
    ref(root, first) {
      const scope = extra[root];
      if (scope !== undefined) return scope[first] ?? UNKNOWN;
      return base.ref(root, first);
    },
  };
}

const MEMO = new WeakMap<readonly ModuleScope[], WeakMap<object, Map<string, ResolvedValue[]>>>();

/** One evaluated instance of a block: the instance key, the scope variant, and the value. */
export interface ResolvedValue {
  key?: string | number;
  scope: ModuleScope;
  value: Value;
}

/** Evaluates one attribute of a block in every scope variant and instance. */
export function resolveBlockAttribute(body: Record<string, unknown> | null, scopes: readonly ModuleScope[], attribute: string): ResolvedValue[] {
  if (body === null) return [];
  const raw = body[attribute];
  if (raw === undefined) return [];
  // Memoised per module instance (scopes) and block: matching many failures against one index evaluates once.
  let byBody = MEMO.get(scopes);
  if (byBody === undefined) MEMO.set(scopes, (byBody = new WeakMap()));
  let byAttr = byBody.get(body);
  if (byAttr === undefined) byBody.set(body, (byAttr = new Map<string, ResolvedValue[]>()));
  const hit = byAttr.get(attribute);
  if (hit !== undefined) return hit;
  const out: ResolvedValue[] = [];
  for (const scope of scopes) {
    for (const instance of expandInstances(body, scope)) {
      const value = evaluateJson(raw, instance.ctx);
      out.push(instance.key === undefined ? { scope, value } : { key: instance.key, scope, value });
    }
  }
  byAttr.set(attribute, out);
  return out;
}
