import { describe, expect, it } from "vitest";
import { changeFingerprint, changeTrailerOf, fixesTrailer, generationBranch, normalisedEdits, parseMarker, renderMarker, titleHash, withChangeTrailer } from "../../src/domain/proposal.js";

const BUCKET = 'resource "aws_s3_bucket" "logs" {\n  bucket = "acme-logs"\n}\n';
const BLOCK = '\nresource "aws_s3_bucket_versioning" "logs" {\n  bucket = aws_s3_bucket.logs.id\n}\n';

function change(before: string, after: string, path = "s3.tf"): { files: { path: string; before: string; after: string }[] } {
  return { files: [{ path, before, after }] };
}

describe("change fingerprint", () => {
  it("is the same for the same edits on a moved base (a rebase) and after an unrelated edit elsewhere in the file", () => {
    const original = changeFingerprint(change(BUCKET, BUCKET + BLOCK));
    const upstream = `# owned by platform\n\n${BUCKET}\nresource "aws_s3_bucket" "data" {\n  bucket = "acme-data"\n}\n`;
    const rebased = upstream.replace(BUCKET, BUCKET + BLOCK);
    expect(changeFingerprint(change(upstream, rebased))).toBe(original);
  });

  it("ignores line endings and trailing blanks, not the edits themselves", () => {
    const crlf = changeFingerprint(change(BUCKET.replace(/\n/g, "\r\n"), (BUCKET + BLOCK).replace(/\n/g, "\r\n") + "\r\n"));
    expect(crlf).toBe(changeFingerprint(change(BUCKET, BUCKET + BLOCK)));
    expect(changeFingerprint(change(BUCKET, BUCKET + BLOCK.replace("logs.id", "logs.bucket")))).not.toBe(changeFingerprint(change(BUCKET, BUCKET + BLOCK)));
    expect(changeFingerprint(change(BUCKET, BUCKET + BLOCK, "other.tf"))).not.toBe(changeFingerprint(change(BUCKET, BUCKET + BLOCK)));
  });

  it("lists each file's removed and added lines without positions, files in path order", () => {
    const edits = normalisedEdits({ files: [change("a\nb\n", "a\nB\n", "z.tf").files[0]!, change("", "new\n", "a.tf").files[0]!] });
    expect(edits).toEqual([
      { path: "a.tf", removed: [], added: ["new"] },
      { path: "z.tf", removed: ["b"], added: ["B"] },
    ]);
  });
});

describe("PR marker", () => {
  const key = "a".repeat(64);
  const fp = "b".repeat(64);

  it("round-trips version 2 with generation, title hash and grouped keys", () => {
    const marker = { key, fingerprint: fp, generation: 3, titleHash: titleHash("fix(x): y"), also: [{ key: "c".repeat(64), fingerprint: "d".repeat(64) }] };
    expect(parseMarker(`${renderMarker(marker)}\n## body`)).toEqual({ ...marker, version: 2 });
    expect(parseMarker(`text first\n${renderMarker(marker)}`)).toBeUndefined();
  });

  it("reads the version 1 marker of older TerraFix (whole-file hash)", () => {
    expect(parseMarker(`<!-- terrafix:key=${key} change=sha256:${fp} -->\nbody`)).toEqual({ key, fingerprint: fp, version: 1, generation: 1, also: [] });
    expect(parseMarker(null)).toBeUndefined();
  });

  it("names generations, trailers and the Fixes line", () => {
    expect(generationBranch("terrafix/t/abc", 1)).toBe("terrafix/t/abc");
    expect(generationBranch("terrafix/t/abc", 2)).toBe("terrafix/t/abc-2");
    expect(changeTrailerOf(withChangeTrailer("subject\n\nTerraFix-Key: k\n", fp))).toBe(fp);
    expect(changeTrailerOf("subject\n")).toBeUndefined();
    expect(fixesTrailer(["aws-s3-versioning", "aws s3 logging", "aws-s3-versioning"])).toBe("Fixes: test-aws-s3-versioning\nFixes: test-aws-s3-logging");
  });
});
