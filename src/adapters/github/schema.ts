import { z } from "zod";

/** The fields of a pull request TerraFix reads (pulls.list / pulls.create answers). */
export const PullSummary = z.object({
  number: z.number().int(),
  html_url: z.string(),
  state: z.enum(["open", "closed"]),
  title: z.string(),
  body: z.string().nullable().optional().transform((body) => body ?? ""),
  created_at: z.string(),
  merged_at: z.string().nullable().optional().transform((at) => at ?? null),
  user: z.object({ login: z.string() }).nullable().optional(),
  head: z.object({ ref: z.string(), sha: z.string() }),
});
export type PullSummary = z.infer<typeof PullSummary>;

/** An issue as the dashboard reads it; `pull_request` marks a PR in the issues API. */
export const IssueSummary = z.object({
  number: z.number().int(),
  html_url: z.string(),
  title: z.string(),
  body: z.string().nullable().optional().transform((body) => body ?? ""),
  pull_request: z.unknown().optional(),
});
export type IssueSummary = z.infer<typeof IssueSummary>;
