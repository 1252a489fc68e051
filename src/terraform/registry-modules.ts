/**
 * Well-known registry modules (https://registry.terraform.io/namespaces/terraform-aws-modules)
 * and the inputs that carry the name of the resource they create, so a failing resource can be
 * traced to the module call whose inputs a fix must change.
 */
export interface RegistryModuleSpec {
  /** `s3-bucket`, or `iam//modules/iam-user` for a submodule. */
  id: string;
  /** ResourceKind ids (src/domain/resource-kinds.ts) the module creates. */
  kinds: readonly string[];
  nameInputs: readonly string[];
  prefixInputs: readonly string[];
}

const SPECS: readonly RegistryModuleSpec[] = [
  { id: "s3-bucket", kinds: ["s3-bucket"], nameInputs: ["bucket"], prefixInputs: ["bucket_prefix"] },
  { id: "rds", kinds: ["rds-instance"], nameInputs: ["identifier"], prefixInputs: [] },
  { id: "rds-aurora", kinds: ["rds-cluster"], nameInputs: ["name"], prefixInputs: [] },
  { id: "security-group", kinds: ["security-group"], nameInputs: ["name"], prefixInputs: [] },
  { id: "vpc", kinds: ["vpc"], nameInputs: ["name"], prefixInputs: [] },
  { id: "iam//modules/iam-user", kinds: ["iam-user"], nameInputs: ["name"], prefixInputs: [] },
  { id: "iam//modules/iam-assumable-role", kinds: ["iam-role"], nameInputs: ["role_name"], prefixInputs: ["role_name_prefix"] },
  { id: "iam//modules/iam-role", kinds: ["iam-role"], nameInputs: ["name"], prefixInputs: [] },
  { id: "iam//modules/iam-policy", kinds: ["iam-policy"], nameInputs: ["name"], prefixInputs: ["name_prefix"] },
  { id: "iam//modules/iam-group-with-policies", kinds: ["iam-group"], nameInputs: ["name"], prefixInputs: [] },
  { id: "iam//modules/iam-account", kinds: ["iam-password-policy"], nameInputs: [], prefixInputs: [] },
  { id: "lambda", kinds: ["lambda-function"], nameInputs: ["function_name"], prefixInputs: [] },
  { id: "dynamodb-table", kinds: ["dynamodb-table"], nameInputs: ["name"], prefixInputs: [] },
  { id: "sqs", kinds: ["sqs-queue"], nameInputs: ["name"], prefixInputs: [] },
  { id: "sns", kinds: ["sns-topic"], nameInputs: ["name"], prefixInputs: [] },
  { id: "eks", kinds: ["eks-cluster"], nameInputs: ["cluster_name", "name"], prefixInputs: [] },
  { id: "alb", kinds: ["load-balancer"], nameInputs: ["name"], prefixInputs: ["name_prefix"] },
  { id: "ec2-instance", kinds: ["ec2-instance"], nameInputs: ["name"], prefixInputs: [] },
];

/**
 * Recognises registry (`terraform-aws-modules/s3-bucket/aws`, with or without
 * `registry.terraform.io/`) and GitHub (`git::https://github.com/terraform-aws-modules/terraform-aws-s3-bucket.git?ref=…`)
 * sources, with an optional `//modules/x` submodule.
 */
export function registryModuleOf(source: string): RegistryModuleSpec | undefined {
  const clean = source.replace(/^git::/, "").replace(/\?.*$/, "").replace(/^[a-z+]+:\/\//, "");
  const cut = clean.indexOf("//");
  const main = cut < 0 ? clean : clean.slice(0, cut);
  const sub = cut < 0 ? undefined : clean.slice(cut + 2).replace(/^\/+|\/+$/g, "");
  const registry = /^(?:registry\.terraform\.io\/)?terraform-aws-modules\/([a-z0-9-]+)\/aws$/.exec(main)?.[1];
  const git = /^github\.com[/:]terraform-aws-modules\/terraform-aws-([a-z0-9-]+?)(?:\.git)?$/.exec(main)?.[1];
  const name = registry ?? git;
  if (name === undefined) return undefined;
  const id = sub === undefined ? name : `${name}//${sub}`;
  return SPECS.find((s) => s.id === id) ?? SPECS.find((s) => s.id === name);
}
