import { MODEL_CATALOGUE, PROFILE_SCOPES, type ModelEntry } from "./models.js";

/**
 * The model catalogue as a Markdown table, for README "The model" (a test keeps the README copy
 * equal to this, so the documentation cannot drift from the data).
 */
export function renderCatalogueTable(entries: readonly ModelEntry[] = MODEL_CATALOGUE): string {
  const header = [
    "model",
    "base id (profiles: " + PROFILE_SCOPES.map((s) => `\`${s}.\``).join(" ") + ")",
    "status",
    "sampling",
    "tool choice",
    "thinking: default; accepted",
    "effort",
    "prefill",
    "reasoning replay",
    "context / output",
    "tokens vs 4.5",
    "cache min",
    "USD/MTok global: in / out / cache write / read",
    "regional",
  ];
  const rows = entries.map((e) => [
    e.name,
    `\`${e.baseId}\`${e.baseIdOnDemand ? "" : " (profile required)"}`,
    e.lifecycle,
    e.sampling === "none" ? "none (400)" : "temperature or top_p",
    e.toolChoices.join(", "),
    `${e.thinkingDefault}; ${e.thinkingModes.join(", ")}${e.betweenToolsMaxEffort === undefined ? "" : ` (between_tools ≤ ${e.betweenToolsMaxEffort})`}`,
    e.efforts.length === 0 ? "—" : e.efforts.join(", "),
    e.assistantPrefill ? "yes" : "no (400)",
    e.reasoningReplay,
    `${tokens(e.contextTokens)} / ${tokens(e.maxOutputTokens)}`,
    `${e.tokenRatio.toFixed(1)}×`,
    String(e.cacheMinTokens),
    `${e.globalPrices.input} / ${e.globalPrices.output} / ${e.globalPrices.cacheWrite} / ${e.globalPrices.cacheRead}`,
    `+${Math.round((e.regionalMarkup - 1) * 100)}%`,
  ]);
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function tokens(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}K`;
}
