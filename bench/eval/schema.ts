import { z } from "zod";

/**
 * Evaluation cases for `npm run eval`: what TerraFix should answer on a public corpus, written by
 * hand from reading the corpus (resource names and addresses only; no corpus code). Each file is
 * pinned to the corpus commit it was written against.
 */
export const EvalIdentity = z
  .object({
    /** An ARN, when Vanta (enrichment) would have one. */
    arn: z.string().optional(),
    /** Vanta `displayName`. */
    name: z.string().optional(),
    /** Vanta `responseType` (or a CloudFormation / Terraform type). */
    type: z.string().optional(),
    tags: z.record(z.string(), z.string()).optional(),
  })
  .strict()
  .refine((i) => i.arn !== undefined || (i.name !== undefined && i.type !== undefined), "an identity needs an arn, or a name and a type");
export type EvalIdentity = z.infer<typeof EvalIdentity>;

const MatchExpect = z.union([
  z.object({ status: z.literal("matched"), address: z.string(), file: z.string().optional(), root: z.string().optional() }).strict(),
  /** A negative case: any answer but a confident match is right (ambiguous or no-match). */
  z.object({ status: z.literal("not-matched") }).strict(),
]);

export const MatchCase = z.object({ id: z.string(), note: z.string().optional(), identity: EvalIdentity, expect: MatchExpect }).strict();
export type MatchCase = z.infer<typeof MatchCase>;

export const CheckCase = z
  .object({
    id: z.string(),
    note: z.string().optional(),
    control: z.string(),
    address: z.string(),
    /** Root module folder relative to --repo ("" = the folder itself). */
    root: z.string().optional(),
    /** `absent`: the resource does not exist (count = 0) and must not be reported at all. */
    expect: z.enum(["fail", "pass", "absent"]),
  })
  .strict();
export type CheckCase = z.infer<typeof CheckCase>;

export const FixCase = z
  .object({
    id: z.string(),
    note: z.string().optional(),
    /** Vanta test id or TerraFix control id. */
    test: z.string(),
    identity: EvalIdentity,
    /** `fixed`: a verified rule fix (fmt gate run and clean) after which the control passes; `refused`: no change. */
    expect: z.enum(["fixed", "refused"]),
  })
  .strict();
export type FixCase = z.infer<typeof FixCase>;

export const CaseFile = z
  .object({
    corpus: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "owner/name"),
    commit: z.string().regex(/^[0-9a-f]{40}$/),
    /** Folder of the checkout passed as --repo, relative to the checkout root. */
    path: z.string().default(""),
    description: z.string().optional(),
    match: z.array(MatchCase).default([]),
    check: z.array(CheckCase).default([]),
    fix: z.array(FixCase).default([]),
  })
  .strict();
export type CaseFile = z.infer<typeof CaseFile>;
