import { isNode, LineCounter, parseDocument, YAMLError } from "yaml";

/**
 * What a YAML syntax error may say without quoting the file: the parser's error code and the
 * position. Its message carries the offending line (with a caret), and a configuration file
 * holds tokens, or is a symlink to a file that does (credentials, /proc/self/environ).
 * Codes: https://eemeli.org/yaml/#errors
 */
export function describeYamlError(error: unknown): string {
  if (!(error instanceof YAMLError)) return "unreadable YAML";
  const pos = error.linePos?.[0];
  return pos === undefined ? `YAML error ${error.code}` : `YAML error ${error.code} at line ${pos.line}, column ${pos.col}`;
}

/**
 * The 1-based line of the value at `path` in a YAML text, or of its nearest ancestor that
 * exists (an unknown key is reported at its parent mapping); undefined for an empty path.
 */
export function lineOfPath(text: string, path: readonly PropertyKey[]): number | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node: unknown = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth).map((p) => (typeof p === "symbol" ? String(p) : p)), true);
    if (isNode(node) && node.range !== undefined && node.range !== null) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}
