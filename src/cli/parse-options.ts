import { InvalidArgumentError } from "commander";

/** Parses durations such as `30d`, `12h`, `90m`, `45s`, `2w` into milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/.exec(text.trim());
  if (match === null) throw new InvalidArgumentError(`'${text}' is not a duration (examples: 30d, 12h, 90m)`);
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
  return Number(match[1]) * (units[match[2] ?? "s"] ?? 1000);
}

export function parsePositiveInt(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new InvalidArgumentError(`'${text}' is not a positive whole number`);
  return Number(text);
}

/** Collects repeated `--tag K=V` into a map. */
export function collectTag(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new InvalidArgumentError(`'${text}' is not a tag (expected KEY=VALUE)`);
  return { ...previous, [text.slice(0, eq)]: text.slice(eq + 1) };
}
