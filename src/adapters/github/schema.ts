import { z } from "zod";

/** The fields of a pull request TerraFix reads (pulls.list / pulls.create / pulls.get answers). */
export const PullSummary = z.object({
  number: z.number().int(),
  html_url: z.string(),
  state: z.enum(["open", "closed"]),
  title: z.string(),
  body: z.string().nullable().optional().transform((body) => body ?? ""),
  created_at: z.string(),
  merged_at: z.string().nullable().optional().transform((at) => at ?? null),
  closed_at: z.string().nullable().optional().transform((at) => at ?? null),
  user: z.object({ login: z.string() }).nullable().optional(),
  labels: z
    .array(z.union([z.string(), z.object({ name: z.string().optional() })]))
    .optional()
    .transform((labels) => (labels ?? []).map((label) => (typeof label === "string" ? label : (label.name ?? ""))).filter((name) => name !== "")),
  head: z.object({ ref: z.string(), sha: z.string() }),
});
export type PullSummary = z.infer<typeof PullSummary>;

/** `GET /pulls/{n}` adds the merge status GitHub computes in the background (null while computing). */
export const PullMergeStatus = z.object({
  mergeable: z.boolean().nullable().optional().transform((value) => value ?? null),
  mergeable_state: z.string().optional().transform((value) => value ?? "unknown"),
});

/** An issue as the dashboard reads it; `pull_request` marks a PR in the issues API. */
export const IssueSummary = z.object({
  number: z.number().int(),
  html_url: z.string(),
  title: z.string(),
  body: z.string().nullable().optional().transform((body) => body ?? ""),
  user: z.object({ login: z.string() }).nullable().optional(),
  pull_request: z.unknown().optional(),
});
export type IssueSummary = z.infer<typeof IssueSummary>;

/** A file from the contents API (a directory answers with an array, a submodule or symlink without `content`). */
export const FileContent = z.object({ type: z.literal("file"), content: z.string() });

/** The changed files of "Compare two commits" (`files` is absent when nothing differs). */
export const CompareFiles = z.object({
  files: z
    .array(z.object({ filename: z.string(), status: z.string(), previous_filename: z.string().optional() }))
    .optional()
    .transform((files) => files ?? []),
});
