import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { OPTIONS } from "../../src/config/options.js";
import { expandLocal, infraDir, loadInfra, referencedLocals, type Infra } from "./infra.js";

const knownEnv = new Set<string>(Object.values(OPTIONS).map((o) => o.env));
/** Not TerraFix options but read by a library: node-postgres takes the password from PGPASSWORD when the URL has none. */
const libraryEnv = new Set(["PGPASSWORD"]);

let infra: Infra;
beforeAll(async () => {
  infra = await loadInfra();
});

/** The container_definitions expression, whitespace collapsed (hcl2json keeps the source text). */
function containerDefinitions(): string {
  return String(infra.resources.aws_ecs_task_definition?.this?.container_definitions).replace(/\s+/g, " ");
}

const terraformAvailable = spawnSync("terraform", ["version"], { encoding: "utf8" }).error === undefined;

describe("infra/ Terraform", () => {
  it("parses without errors", () => {
    expect(infra.files.length).toBeGreaterThan(5);
    expect(infra.files.flatMap((f) => f.errors)).toEqual([]);
  });

  it.skipIf(!terraformAvailable)(
    `is terraform fmt clean${terraformAvailable ? "" : " (skipped: terraform binary not on PATH)"}`,
    () => {
      const result = spawnSync("terraform", ["fmt", "-check", "-recursive", "-diff", infraDir], { encoding: "utf8", cwd: join(infraDir, "..") });
      expect(result.stdout).toBe("");
      expect(result.status).toBe(0);
    },
  );

  it("documents every variable and output", () => {
    const undocumented = [
      ...Object.entries(infra.variables).filter(([, v]) => typeof v.description !== "string" || v.description.length < 10).map(([n]) => `variable.${n}`),
      ...Object.entries(infra.outputs).filter(([, o]) => typeof o.description !== "string" || o.description.length < 10).map(([n]) => `output.${n}`),
    ];
    expect(Object.keys(infra.variables).length).toBeGreaterThan(10);
    expect(undocumented).toEqual([]);
  });
});

describe("task definition environment", () => {
  it("feeds the container from local.container_environment and local.container_secrets", () => {
    const definitions = containerDefinitions();
    expect(definitions).toContain("environment = local.container_environment");
    expect(definitions).toContain("secrets = local.container_secrets");
    expect(referencedLocals(infra.locals.container_environment as string)).toEqual(["environment"]);
    expect(referencedLocals(infra.locals.container_secrets as string)).toEqual(expect.arrayContaining(["secret_names", "secrets"]));
  });

  it("sets only TerraFix option names as environment variables", () => {
    const names = Object.keys(infra.locals.environment as Record<string, string>);
    expect(names).toEqual(expect.arrayContaining(["TERRAFIX_STATE_URL", "TERRAFIX_REPOSITORIES", "BEDROCK_MODEL_ID", "AWS_REGION"]));
    expect(names.filter((n) => !knownEnv.has(n))).toEqual([]);
  });

  it("injects only TerraFix secret options (and PGPASSWORD) from Secrets Manager", () => {
    const secrets = infra.locals.secrets as Record<string, string>;
    expect(Object.keys(secrets).filter((n) => !knownEnv.has(n) && !libraryEnv.has(n))).toEqual([]);
    const secretOptions = Object.values(OPTIONS).filter((o) => "secret" in o && o.secret).map((o) => o.env);
    // Every secret option comes from a secret, never from the plain environment.
    expect(secretOptions.filter((n) => !(n in secrets))).toEqual([]);
    const environment = infra.locals.environment as Record<string, string>;
    expect(secretOptions.filter((n) => n in environment)).toEqual([]);
    for (const valueFrom of Object.values(secrets)) expect(valueFrom).toMatch(/secret.*:\w+::|^\$\{var\.enable_rds/);
  });

  it("selects secret names that exist in the secrets map", () => {
    const names = [...(infra.locals.secret_names as string).matchAll(/"([A-Z_]+)"/g)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(3);
    expect(names.filter((n) => !(n in (infra.locals.secrets as Record<string, string>)))).toEqual([]);
  });
});

describe("task role", () => {
  interface Statement {
    effect?: string;
    actions?: string[];
    not_actions?: string[];
    resources?: string[] | string;
    not_resources?: unknown;
    sid?: string;
    condition?: { test: string; variable: string; values: string[] | string }[];
    forEach?: string;
  }

  /** A statement's resource strings, locals expanded. */
  function resourceTexts(statement: Statement): string[] {
    const resources = statement.resources;
    return typeof resources === "string" ? referencedLocals(resources).flatMap((n) => expandLocal(infra.locals, n)) : (resources ?? []).flatMap((r) => (r.includes("local.") ? [r, ...referencedLocals(r).flatMap((n) => expandLocal(infra.locals, n))] : [r]));
  }

  it("is the role the task definition uses, with no managed or inline policies of its own", () => {
    expect(infra.resources.aws_ecs_task_definition?.this?.task_role_arn).toBe("${aws_iam_role.task.arn}");
    expect(infra.resources.aws_ecs_task_definition?.this?.execution_role_arn).toBe("${aws_iam_role.execution.arn}");
    const role = infra.resources.aws_iam_role?.task ?? {};
    expect(role).not.toHaveProperty("managed_policy_arns");
    expect(role).not.toHaveProperty("inline_policy");
  });

  it("gets exactly one policy, the task policy document", () => {
    const onTaskRole = (body: Record<string, unknown>) => typeof body.role === "string" && /aws_iam_role\.task\./.test(body.role);
    const attachments = Object.values(infra.resources.aws_iam_role_policy_attachment ?? {}).filter(onTaskRole);
    const policies = Object.values(infra.resources.aws_iam_role_policy ?? {}).filter(onTaskRole);
    expect(attachments).toEqual([]);
    expect(policies).toHaveLength(1);
    expect(policies[0]!.policy).toBe("${data.aws_iam_policy_document.task.json}");
  });

  /** Every statement of the task policy, dynamic ones (the global-profile statement) included. */
  function taskStatements(): Statement[] {
    const document = infra.data.aws_iam_policy_document?.task ?? {};
    const dynamic = ((document.dynamic as { statement?: { for_each: string; content: Statement[] }[] } | undefined)?.statement ?? []).flatMap((d) =>
      d.content.map((c) => ({ ...c, forEach: d.for_each })),
    );
    return [...(document.statement as Statement[]), ...dynamic];
  }

  it("allows only bedrock:InvokeModel, on ARNs without wildcards", () => {
    const document = infra.data.aws_iam_policy_document?.task ?? {};
    expect(document).not.toHaveProperty("source_policy_documents");
    expect(document).not.toHaveProperty("override_policy_documents");
    const statements = taskStatements();
    expect(statements.length).toBe(3);
    for (const statement of statements) {
      expect(statement.effect ?? "Allow").toBe("Allow");
      expect(statement.actions).toEqual(["bedrock:InvokeModel"]);
      expect(statement).not.toHaveProperty("not_actions");
      expect(statement).not.toHaveProperty("not_resources");
      const texts = resourceTexts(statement);
      expect(texts.length).toBeGreaterThan(0);
      for (const text of texts) expect(text).not.toContain("*");
      const arns = texts.join("\n").match(/arn:[^"\s]*/g) ?? [];
      expect(arns.length).toBeGreaterThanOrEqual(1);
      // Profile in the source region; model in a named region, or region-less (global profiles).
      for (const arn of arns) expect(arn).toMatch(/^arn:\$\{local\.partition\}:bedrock:(\$\{(var\.bedrock_region|region)\}:[^:]*:(inference-profile|foundation-model)|::foundation-model)\//);
    }
  });

  it("lets the task invoke the foundation model only through the configured profile", () => {
    const [profile, ...models] = taskStatements();
    expect(resourceTexts(profile!).join()).toContain("inference-profile/${var.bedrock_model_id}");
    for (const statement of models) {
      expect(resourceTexts(statement).join()).toContain("foundation-model/${local.bedrock_foundation_model_id}");
      expect(statement.condition).toContainEqual({ test: "StringEquals", variable: "bedrock:InferenceProfileArn", values: ["${local.bedrock_inference_profile_arn}"] });
    }
  });

  it("authorises a global profile with the region-less model ARN and aws:RequestedRegion unspecified", () => {
    const global = taskStatements().find((s) => s.sid === "InvokeModelGloballyThroughProfile");
    expect(global).toMatchObject({ forEach: "${local.bedrock_is_global ? [1] : []}" });
    expect(global!.condition).toContainEqual({ test: "StringEquals", variable: "aws:RequestedRegion", values: ["unspecified"] });
    expect(resourceTexts(global!).join()).toContain("arn:${local.partition}:bedrock:::foundation-model/${local.bedrock_foundation_model_id}");
    expect(infra.locals.bedrock_model_regions).toBe("${local.bedrock_is_global ? [var.bedrock_region] : var.bedrock_destination_regions}");
    expect(infra.variables.bedrock_model_id?.default).toBe(OPTIONS.bedrockModelId.default);
  });

  it("finds a wildcard if one is introduced (guards the check above)", () => {
    const locals = { a: "${concat([local.b], [\"x\"])}", b: "arn:aws:bedrock:*:1:foundation-model/m" };
    expect(expandLocal(locals, "a").some((t) => t.includes("*"))).toBe(true);
    expect(() => expandLocal({}, "missing")).toThrow(/not defined/);
  });
});

describe("network and encryption", () => {
  it("gives the task security group no ingress and only described egress rules", () => {
    const sg = infra.resources.aws_security_group?.task ?? {};
    expect(sg).not.toHaveProperty("ingress");
    expect(sg.description).toBeTypeOf("string");
    const ingressToTask = Object.values(infra.resources.aws_vpc_security_group_ingress_rule ?? {}).filter((r) => String(r.security_group_id).includes("aws_security_group.task."));
    expect(ingressToTask).toEqual([]);
    expect(infra.resources.aws_security_group_rule ?? {}).toEqual({});
    const egress = Object.values(infra.resources.aws_vpc_security_group_egress_rule ?? {});
    expect(egress.map((r) => r.from_port).sort()).toEqual([443, 5432]);
    for (const rule of [...egress, ...Object.values(infra.resources.aws_vpc_security_group_ingress_rule ?? {})]) expect(rule.description).toBeTypeOf("string");
  });

  it("runs the service privately and the container read-only as a non-root user", () => {
    const service = infra.resources.aws_ecs_service?.this ?? {};
    const network = (service.network_configuration as Record<string, unknown>[])[0]!;
    expect(network.assign_public_ip).toBe(false);
    const definitions = containerDefinitions();
    expect(definitions).toContain("readonlyRootFilesystem = true");
    expect(definitions).toContain('user = "10001:10001"');
    expect(definitions).toContain('logDriver = "awslogs"');
  });

  it("encrypts the repository, secrets, logs, topic and database with the rotating CMK", () => {
    const r = infra.resources;
    expect(r.aws_kms_key?.this?.enable_key_rotation).toBe(true);
    const ecr = r.aws_ecr_repository?.this ?? {};
    expect(ecr.image_tag_mutability).toBe("IMMUTABLE");
    expect(ecr.image_scanning_configuration).toEqual([{ scan_on_push: true }]);
    expect((ecr.encryption_configuration as Record<string, unknown>[])[0]!.encryption_type).toBe("KMS");
    for (const secret of Object.values(r.aws_secretsmanager_secret ?? {})) {
      expect(secret.kms_key_id).toBe("${aws_kms_key.this.arn}");
      expect(secret).not.toHaveProperty("secret_string");
    }
    expect(r.aws_secretsmanager_secret_version).toBeUndefined();
    for (const group of Object.values(r.aws_cloudwatch_log_group ?? {})) {
      expect(group.kms_key_id).toBe("${aws_kms_key.this.arn}");
      expect(group.retention_in_days).toBe("${var.log_retention_days}");
    }
    expect(infra.variables.log_retention_days?.default).toBeGreaterThanOrEqual(365);
    expect(r.aws_sns_topic?.alarms?.kms_master_key_id).toBe("${aws_kms_key.this.arn}");
    const db = r.aws_db_instance?.this ?? {};
    expect(db).toMatchObject({ storage_encrypted: true, publicly_accessible: false, deletion_protection: true, manage_master_user_password: true, iam_database_authentication_enabled: true, copy_tags_to_snapshot: true });
    expect(db).not.toHaveProperty("password");
    expect(infra.variables.db_backup_retention_days?.default).toBeGreaterThanOrEqual(7);
    expect(infra.variables.db_multi_az?.default).toBe(true);
  });

  it("alarms on task restarts, running count, job failure rate and missing polls", () => {
    const alarms = Object.keys(infra.resources.aws_cloudwatch_metric_alarm ?? {}).sort();
    expect(alarms).toEqual(["job_failure_rate", "no_successful_poll", "running_below_desired", "task_restarts"]);
    expect(String(infra.variables.job_failed_filter_pattern?.default)).toContain('"job finished"');
    for (const alarm of Object.values(infra.resources.aws_cloudwatch_metric_alarm ?? {})) expect(alarm.alarm_actions).toEqual(["${aws_sns_topic.alarms.arn}"]);
  });
});

describe("infra/README.md", () => {
  it("lists every variable and output in its tables", () => {
    const readme = readFileSync(join(infraDir, "README.md"), "utf8");
    const missing = [...Object.keys(infra.variables), ...Object.keys(infra.outputs)].filter((name) => !readme.includes(`| \`${name}\` |`));
    expect(missing).toEqual([]);
  });
});

describe("log metric filters", () => {
  /** Every .ts file under src/, concatenated: the filters must match messages the code really logs. */
  function sourceText(dir = join(infraDir, "..", "src")): string {
    return readdirSync(dir, { withFileTypes: true })
      .map((entry) => (entry.isDirectory() ? sourceText(join(dir, entry.name)) : entry.name.endsWith(".ts") ? readFileSync(join(dir, entry.name), "utf8") : ""))
      .join("\n");
  }

  it.each(["job_finished_filter_pattern", "job_failed_filter_pattern", "poll_success_filter_pattern"])("%s matches a message the daemon logs", (name) => {
    const pattern = String(infra.variables[name]?.default);
    const message = /\$\.msg = "([^"]+)"/.exec(pattern)?.[1];
    expect(message).toBeDefined();
    expect(sourceText()).toContain(`"${message}")`);
  });
});
