import { CHANGES_HEADING, fitChangeBody, splitChangeBody, type ChangedFile } from "../../domain/change-summary.js";
import { escapeMarkdown, markdownCode } from "../../domain/markdown.js";
import { fixesTrailer, renderMarker, type PrMarker } from "../../domain/proposal.js";
import type { PublishRequest } from "../../ports/publisher.js";
import type { Proposal } from "./content.js";

/**
 * The body of a pull request that groups several tests: the first member's rendered body, then
 * rewritten in place as members join, pass, go stale or leave. Every rewrite goes through
 * `withMarker`, which also keeps the "being rebuilt" note in step with the marker's `stale` keys.
 */

const MARKER_LINE = /^<!-- terrafix:v2 [^\n]*-->/;
const STALE_TAG = "<!-- terrafix:stale -->";
const STALE_PREFIX = "> ⏳ ";
const alsoTag = (key: string): string => `<!-- terrafix:also key=${key} -->`;
const passingNote = (key: string): string => `<!-- terrafix:passing key=${key} -->`;

/**
 * The body with its first-line marker replaced and the note on stale members (keys whose edits
 * are not on the rebuilt branch yet, passing ones aside: they need none) added or removed.
 */
export function withMarker(body: string, marker: PrMarker): string {
  const rest = body.replace(MARKER_LINE, "");
  const passing = new Set(marker.passing ?? []);
  return `${renderMarker(marker)}${withStaleNote(rest, (marker.stale ?? []).filter((k) => !passing.has(k)))}`;
}

/**
 * The body with its "What changes" table and diff showing `files` (the group's combined change,
 * base to branch), under GitHub's limit as a first body is. Unchanged without files, or when
 * the body has no change section TerraFix can find (a human rewrote it).
 */
export function withChange(body: string, files: readonly ChangedFile[] | undefined): string {
  const parts = splitChangeBody(body);
  if (files === undefined || parts === undefined) return body;
  return fitChangeBody({ intro: parts.intro, files, outro: parts.outro });
}

/** The group's body once `request`'s key joins: marker, a line under "Also fixes", its `Fixes:` trailer. */
export function groupedBody(body: string, marker: PrMarker, request: PublishRequest, proposal: Proposal): string {
  const rest = body.replace(MARKER_LINE, "");
  const trailerAt = rest.search(/\nFixes: test-[^\n]*(\nFixes: test-[^\n]*)*\s*$/);
  const main = trailerAt === -1 ? rest : rest.slice(0, trailerAt);
  const trailer = trailerAt === -1 ? "" : rest.slice(trailerAt).trim();
  const paths = request.change.files.map((f) => markdownCode(f.path)).join(", ");
  const section = [
    main.includes("### Also fixes") ? "" : "### Also fixes\n",
    // The tag lets a later rewrite name this test (the stale note) knowing only its key.
    `- ${testLabel(request.failure)} on ${markdownCode(request.target.address)}: ${paths} ${alsoTag(request.key)}`,
  ].join("");
  const text = `${main.replace(/\s*$/, "")}\n\n${section}\n\n${[trailer, fixesTrailer([request.failure.testId])].filter((t) => t !== "").join("\n")}\n`;
  return withMarker(text, { ...marker, also: [...marker.also, { key: request.key, fingerprint: proposal.fingerprint }] });
}

/** A group member's test passes: recorded in the marker and said in the body. */
export function withPassing(body: string, marker: PrMarker, key: string, testName: string): string {
  const passing = [...new Set([...(marker.passing ?? []), key])];
  const note = `${passingNote(key)} ✅ Vanta now reports **${escapeMarkdown(testName)}** passing; this pull request stays open for the other tests it fixes.`;
  const text = withoutPassingNote(body, key).replace(/\s*$/, "");
  const trailerAt = text.search(/\nFixes: test-[^\n]*(\nFixes: test-[^\n]*)*$/);
  const main = trailerAt === -1 ? text : text.slice(0, trailerAt);
  const trailer = trailerAt === -1 ? "" : text.slice(trailerAt);
  return withMarker(`${main.replace(/\s*$/, "")}\n\n${note}\n${trailer}\n`, { ...marker, passing });
}

export function withoutPassingNote(body: string, key: string): string {
  return body.split("\n").filter((line) => !line.startsWith(passingNote(key))).join("\n");
}

/** The body without a member's line under "Also fixes" and its `Fixes:` trailer (it left the group). */
export function withoutTest(body: string, testId: string): string {
  return body.split("\n").filter((line) => !(line.startsWith("- **") && line.includes(`(${markdownCode(testId)})`)) && line !== fixesTrailer([testId])).join("\n");
}

function testLabel(failure: { testName: string; testId: string }): string {
  return `**${escapeMarkdown(failure.testName)}** (${markdownCode(failure.testId)})`;
}

/**
 * The note goes right above "What changes" (what a reviewer reads next no longer holds those
 * tests' edits), and only lines above that heading are taken for an old note: below it sit the
 * diff and the model's quoted prose, which may hold any text.
 */
function withStaleNote(body: string, stale: readonly string[]): string {
  const lines = withoutStaleNote(body.split("\n"));
  if (stale.length === 0) return lines.join("\n");
  const names = stale.map((key) => memberLabel(body, key));
  const known = names.filter((n): n is string => n !== undefined);
  const who = known.length === names.length ? known.join(", ") : `${names.length} test(s) of this group`;
  const note = `${STALE_PREFIX}**Being rebuilt:** this branch was rebuilt on a new base, and the edits for ${who} are not on it yet; TerraFix re-applies them in its next cycle. Until then the change below does not include them. ${STALE_TAG}`;
  const heading = lines.indexOf(CHANGES_HEADING);
  lines.splice(heading === -1 ? Math.min(lines.length, 1) : heading, 0, note, "");
  return lines.join("\n");
}

/** The lines without an old note (and the blank line that followed it). */
function withoutStaleNote(lines: readonly string[]): string[] {
  const heading = lines.indexOf(CHANGES_HEADING);
  // Without the heading the note sits on the first line after the marker's.
  const end = heading === -1 ? 2 : heading;
  const isNote = (line: string, i: number): boolean => i < end && line.startsWith(STALE_PREFIX) && line.endsWith(STALE_TAG);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? "";
    if (isNote(line, i)) {
      if (lines[i + 1] === "") i += 1;
      continue;
    }
    out.push(line);
  }
  return out;
}

/** `**name** (`id`)` of a member, from its tagged line under "Also fixes". */
function memberLabel(body: string, key: string): string | undefined {
  const line = body.split("\n").find((l) => l.startsWith("- **") && l.endsWith(alsoTag(key)));
  // The name is escaped (no bare `**` inside) and the id is a code span whose fence is longer than
  // any backtick run inside it, so the first `**` and the first matching fence end them.
  return line === undefined ? undefined : /^- (\*\*(?:\\.|[^\\*])*\*\* \((`+).*?\2\))/.exec(line)?.[1];
}
