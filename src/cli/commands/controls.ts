import { allControls, controlsForTest, parseTestMappings } from "../../controls/catalogue.js";
import type { Config } from "../../config/options.js";
import { EXIT_OK, type CliIo, type ControlsOptions } from "../context.js";
import { configOf } from "./config.js";

/** `terrafix controls [--json]`: each control with its title, Checkov ids, Vanta test ids and resource types. */
export function controlsCommand(options: ControlsOptions, io: CliIo): Promise<number> {
  const config = configOf(options, io);
  const mappings = parseTestMappings(config.testMappings);
  const rows = allControls().map((c) => ({
    id: c.id,
    title: c.title,
    checkovIds: [...c.checkovIds],
    // The built-in Vanta ids, then those TERRAFIX_TEST_MAPPINGS adds.
    vantaTestIds: [...c.vantaTestIds, ...Object.entries(mappings).filter(([, id]) => id === c.id).map(([test]) => test)],
    resourceTypes: [...c.resourceTypes],
  }));
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ controls: rows })}\n`);
  } else {
    for (const r of rows) {
      io.stdout.write(`${r.id}  ${r.title}\n`);
      io.stdout.write(`    checkov: ${r.checkovIds.join(", ") || "-"}\n    vanta:   ${r.vantaTestIds.join(", ") || "- (map one with TERRAFIX_TEST_MAPPINGS)"}\n    types:   ${r.resourceTypes.join(", ")}\n`);
    }
    io.stdout.write(`${rows.length} controls; \`terrafix fix --test\` takes a control id or a Vanta test id\n`);
  }
  return Promise.resolve(EXIT_OK);
}

/** Every id `--test` accepts: control ids, built-in Vanta test ids, configured mappings. */
export function knownTestIds(config: Config): string[] {
  const mappings = parseTestMappings(config.testMappings);
  return [...new Set([...allControls().flatMap((c) => [c.id, ...c.vantaTestIds]), ...Object.keys(mappings)])];
}

/**
 * Undefined when `test` is known; else a one-line usage message naming the nearest ids. A test
 * TERRAFIX_TEST_MAPPINGS names is known even when it maps to no control (`my-test=`): the
 * operator declared it, so it goes to the model as it would in the daemon.
 */
export function unknownTestMessage(test: string, config: Config): string | undefined {
  const mappings = parseTestMappings(config.testMappings);
  if (Object.hasOwn(mappings, test) || controlsForTest(test, mappings).length > 0) return undefined;
  const nearest = knownTestIds(config)
    .map((id) => ({ id, d: distance(test.toLowerCase(), id.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.id.localeCompare(b.id))
    .slice(0, 3)
    .map((x) => x.id);
  return `unknown --test "${test}": no control covers it (nearest: ${nearest.join(", ")}; \`terrafix controls\` lists them all, TERRAFIX_TEST_MAPPINGS maps a custom test)`;
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length] ?? 0;
}
