/**
 * Every guardrail rule and what it rejects (shared/ARCHITECTURE.md, Remediation 3). The table is
 * the documentation: a refused change names its rule as `[rule]`, and
 * test/remediation/guardrails-hostile.test.ts checks each rule has a hostile example that trips it.
 */
export type GuardrailRule =
  | "size-cap"
  | "invalid-terraform"
  | "duplicate-block"
  | "provisioner"
  | "external-data"
  | "type-not-allowed"
  | "meta-argument"
  | "lifecycle"
  | "state-block"
  | "provider-change"
  | "backend-change"
  | "module-source-change"
  | "identity-change"
  | "resource-removal"
  | "iam-wildcard"
  | "iam-not-element"
  | "admin-policy"
  | "public-principal"
  | "public-acl";

export const GUARDRAIL_RULES: Readonly<Record<GuardrailRule, string>> = {
  "size-cap": "a change that adds more than the size cap (64 KiB by default) to the repository",
  "invalid-terraform": "a changed file that does not re-parse as Terraform, or a top-level block type Terraform does not know",
  "duplicate-block": "a second block with the address of an existing one (resource, data, module, variable, output, provider alias, local, lifecycle)",
  provisioner: "new or changed provisioner and connection blocks (they run commands at apply time)",
  "external-data": "data sources that act during plan (`external` runs a program, `http` sends a request), added or changed",
  "type-not-allowed": "an added resource or data source outside the allowlist of the control family (target's own service family when no control covers the test)",
  "meta-argument": "changed count, for_each or provider on an existing block; on a new block, values no existing block uses",
  lifecycle: "changed lifecycle settings (prevent_destroy, ignore_changes, replace_triggered_by, create_before_destroy, conditions), or a lifecycle on a new block",
  "state-block": "new or changed moved, removed and import blocks",
  "provider-change": "added, changed or removed provider blocks",
  "backend-change": "a changed terraform block (backend, cloud, required_providers, required_version)",
  "module-source-change": "a new module call, or a changed module source or version",
  "identity-change": "a changed name, bucket, identifier or similar attribute that forces replacement",
  "resource-removal": "a removed resource, data source or module call (except the ingress rules a port-closing fix may delete)",
  "iam-wildcard": 'an Allow statement with Action "*" / "service:*" or Resource "*" / "arn:...:*", in any spelling',
  "iam-not-element": "NotAction, NotResource or NotPrincipal in any statement",
  "admin-policy": "attaching an AWS-managed administrator policy (AdministratorAccess, PowerUserAccess, IAMFullAccess, *FullAccess, job-function admins)",
  "public-principal": 'an Allow statement or permission for Principal "*" (also {AWS = "*"} and principals blocks)',
  "public-acl": "public canned ACLs (public-read, public-read-write, authenticated-read), grants to AllUsers/AuthenticatedUsers, public access blocks set to false",
};
