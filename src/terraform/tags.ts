import { resolveBlockAttribute, type ModuleScope, type ResolvedValue } from "./resolve.js";
import type { IndexedResource, RepositoryIndex } from "./types.js";
import { isObjectValue, type Value } from "./values.js";

/**
 * The AWS provider alias a resource is created with ("" = the default provider): its
 * `provider = aws.alias`, inherited through module calls. Undefined when the code does not say
 * (a module call with a `providers` map, a provider reference TerraFix cannot read).
 */
export function providerAliasOf(index: Pick<RepositoryIndex, "moduleCallByAddress">, resource: IndexedResource): string | undefined {
  for (let i = 1; i <= resource.modulePath.length; i++) {
    const call = index.moduleCallByAddress(resource.modulePath.slice(0, i).map((m) => `module.${m}`).join("."));
    if (call?.block.body?.providers !== undefined) return undefined;
  }
  const ref = resource.block.body?.provider;
  if (ref === undefined) return "";
  const alias = typeof ref === "string" ? /^\$\{aws\.([\w-]+)\}$/.exec(ref)?.[1] : undefined;
  return alias;
}

/** The root value set a (possibly nested) module scope was derived from. */
export function rootLabel(scope: ModuleScope): string {
  const at = scope.label.indexOf("/module.");
  return at < 0 ? scope.label : scope.label.slice(0, at);
}

/**
 * A resource's tags as AWS sees them: the provider's `default_tags` (per alias and value set)
 * merged under the resource's own `tags`, which win on the same key.
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs#default_tags-configuration-block
 */
export function resourceTags(index: Pick<RepositoryIndex, "moduleCallByAddress" | "providerDefaultTags">, resource: IndexedResource): ResolvedValue[] {
  const own = resolveBlockAttribute(resource.block.body, resource.scopes, "tags");
  const alias = providerAliasOf(index, resource);
  const defaults = alias === undefined ? undefined : index.providerDefaultTags?.get(resource.rootDir)?.get(alias);
  if (defaults === undefined || defaults.size === 0) return own;
  const fromDefaults = (scope: ModuleScope): Value | undefined => defaults.get(rootLabel(scope));
  if (own.length === 0) {
    return resource.scopes.flatMap((scope) => {
      const value = fromDefaults(scope);
      return value === undefined ? [] : [{ scope, value }];
    });
  }
  return own.map((v) => {
    const d = fromDefaults(v.scope);
    if (d === undefined || !isObjectValue(d) || !isObjectValue(v.value)) return v;
    return { ...v, value: { ...d, ...v.value } };
  });
}
