/** A small Dockerfile reader for the static checks in dockerfile.test.ts. */
export interface DockerInstruction {
  keyword: string;
  args: string;
}

export interface DockerStage {
  /** Image after global ARG substitution. */
  image: string;
  name: string | undefined;
  instructions: DockerInstruction[];
}

export interface ParsedDockerfile {
  globalArgs: Record<string, string>;
  stages: DockerStage[];
  /** Sources of COPY/ADD instructions that read the build context (no --from). */
  contextCopySources: string[];
}

export function parseDockerfile(text: string): ParsedDockerfile {
  const globalArgs: Record<string, string> = {};
  const stages: DockerStage[] = [];
  const contextCopySources: string[] = [];
  for (const line of logicalLines(text)) {
    const match = /^(\w+)\s+([\s\S]*)$/.exec(line);
    if (match === null) continue;
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!.trim();
    if (keyword === "ARG" && stages.length === 0) {
      const [name, ...value] = args.split("=");
      globalArgs[name!] = value.join("=");
      continue;
    }
    if (keyword === "FROM") {
      const parts = args.split(/\s+/).filter((p) => !p.startsWith("--"));
      const image = parts[0]!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a?: string, b?: string) => globalArgs[(a ?? b)!] ?? "");
      const asIndex = parts.findIndex((p) => p.toUpperCase() === "AS");
      stages.push({ image, name: asIndex >= 0 ? parts[asIndex + 1] : undefined, instructions: [] });
      continue;
    }
    stages[stages.length - 1]?.instructions.push({ keyword, args });
    if ((keyword === "COPY" || keyword === "ADD") && !/--from=/.test(args)) {
      const parts = args.split(/\s+/).filter((p) => !p.startsWith("--"));
      contextCopySources.push(...parts.slice(0, -1));
    }
  }
  return { globalArgs, stages, contextCopySources };
}

/** Joins `\` continuations and drops comment lines (also those inside a continuation). */
function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let current = "";
  for (const raw of text.split("\n")) {
    const trimmed = raw.trim();
    if (trimmed.startsWith("#") || (trimmed === "" && current === "")) continue;
    if (trimmed.endsWith("\\")) {
      current += trimmed.slice(0, -1).trimEnd() + " ";
      continue;
    }
    lines.push((current + trimmed).replace(/\s+/g, " ").trim());
    current = "";
  }
  if (current !== "") lines.push(current.trim());
  return lines;
}
