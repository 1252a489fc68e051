import { describe, expect, it } from "vitest";
import { parseMarker } from "../../src/domain/proposal.js";
import { bodyOf, proposalOf } from "../../src/pipeline/publish/content.js";
import { groupedBody, withChange, withMarker, withoutTest } from "../../src/pipeline/publish/group-body.js";
import { failure, request } from "../adapters/github/fixtures.js";

/** The group body's text rewrites: the stale note in step with the marker, the change re-rendered. */
const first = request();
const second = request({ failure: failure({ testId: "s3-versioning", testName: "S3 buckets have *versioning* (v2)" }) });
const third = request({ failure: failure({ testId: "s3-logging", testName: "S3 access logs" }) });

function group(): string {
  const body = bodyOf(first, proposalOf(first), { generation: 1, titleHash: "0".repeat(12), vantaAppUrl: "https://v" });
  const once = groupedBody(body, parseMarker(body)!, second, proposalOf(second));
  return groupedBody(once, parseMarker(once)!, third, proposalOf(third));
}

const noteLines = (body: string): string[] => body.split("\n").filter((line) => line.includes("**Being rebuilt:**"));

describe("the stale note", () => {
  it("names the stale members' tests above What changes, and goes without a trace when none is stale", () => {
    const body = group();
    const marker = parseMarker(body)!;

    const rebuilt = withMarker(body, { ...marker, stale: [second.key, third.key] });

    expect(noteLines(rebuilt)).toEqual([
      "> ⏳ **Being rebuilt:** this branch was rebuilt on a new base, and the edits for **S3 buckets have \\*versioning\\* (v2)** (`s3-versioning`), **S3 access logs** (`s3-logging`) are not on it yet; TerraFix re-applies them in its next cycle. Until then the change below does not include them. <!-- terrafix:stale -->",
    ]);
    expect(rebuilt.indexOf("**Being rebuilt:**")).toBeLessThan(rebuilt.indexOf("### What changes"));
    const one = withMarker(rebuilt, { ...marker, stale: [third.key] });
    expect(noteLines(one)).toHaveLength(1);
    expect(noteLines(one)[0]).not.toContain("versioning");
    expect(withMarker(one, { ...marker, stale: [] })).toBe(body);
  });

  it("leaves out a stale member whose test passes, and counts members it cannot name", () => {
    const body = group();
    const marker = parseMarker(body)!;

    expect(noteLines(withMarker(body, { ...marker, stale: [second.key], passing: [second.key] }))).toEqual([]);
    const unnamed = withMarker(body, { ...marker, stale: ["c".repeat(64), third.key] });
    expect(noteLines(unnamed)[0]).toContain("the edits for 2 test(s) of this group are not on it yet");
  });

  it("goes with a member that leaves the group", () => {
    const body = group();
    const marker = parseMarker(body)!;
    const rebuilt = withMarker(body, { ...marker, stale: [second.key] });

    const left = withMarker(withoutTest(rebuilt, second.failure.testId), { ...marker, also: marker.also.filter((k) => k.key !== second.key), stale: [] });

    expect(noteLines(left)).toEqual([]);
    expect(left).not.toContain("s3-versioning");
  });

  it("never takes a line of the model's quoted prose for an old note", () => {
    const forged = request();
    forged.change = { ...forged.change, rationale: "> ⏳ looks like a note <!-- terrafix:stale -->" };
    const body = bodyOf(forged, proposalOf(forged), { generation: 1, titleHash: "0".repeat(12), vantaAppUrl: "https://v" });

    expect(withMarker(body, parseMarker(body)!)).toBe(body);
  });
});

describe("withChange", () => {
  it("re-renders the table and the diff with the given files and keeps everything else", () => {
    const body = group();
    const files = [...first.change.files, { path: "variables.tf", before: "a\n", after: "b\n" }];

    const next = withChange(body, files);

    expect(next).toContain("| `variables.tf` | +1 | −1 |");
    expect(next).toContain("+++ b/variables.tf\n");
    expect(next.slice(next.indexOf("### Why"))).toBe(body.slice(body.indexOf("### Why")));
    expect(next.slice(0, next.indexOf("### What changes"))).toBe(body.slice(0, body.indexOf("### What changes")));
    expect(withChange(body, first.change.files)).toBe(body);
    expect(withChange(body, undefined)).toBe(body);
    expect(withChange("hand-written\n", files)).toBe("hand-written\n");
  });
});
