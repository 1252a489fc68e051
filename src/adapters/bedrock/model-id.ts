import { MODEL_CATALOGUE, PROFILE_SCOPES, UNKNOWN_MODEL, type ModelEntry, type PricePerMtok, type ProfileScope } from "./models.js";

/** How the configured id names the model: a profile of some scope, the bare foundation model, or nothing we know. */
export type IdScope = ProfileScope | "base" | "application-profile" | "unknown";

export interface ResolvedModel {
  /** The id as configured (sent to Bedrock unchanged). */
  modelId: string;
  entry: ModelEntry;
  known: boolean;
  scope: IdScope;
  /** Prices of this id: the global profile's, or the regional ones (geo profiles and base ids). */
  prices: PricePerMtok;
}

// arn:aws:bedrock:eu-west-1:123456789012:inference-profile/global.anthropic.… (services §1.1), also aws-us-gov / aws-cn.
const PROFILE_ARN = /^arn:aws(?:-[a-z]+)*:bedrock:[a-z0-9-]+:\d{12}:inference-profile\/(.+)$/;
const MODEL_ARN = /^arn:aws(?:-[a-z]+)*:bedrock:[a-z0-9-]*::foundation-model\/(.+)$/;
const APPLICATION_PROFILE_ARN = /^arn:aws(?:-[a-z]+)*:bedrock:[a-z0-9-]+:\d{12}:application-inference-profile\//;
// A dated or versioned spelling of a base id (`-20250929`, `-v1:0`) still names the same family.
const VERSION_SUFFIX = /^(?:-\d{8})?(?:-v\d+(?::\d+)?)?$/;

/**
 * Finds the catalogue entry of a model id: the base id, a `global.`/`us.`/`eu.`/`jp.`/`au.`/`apac.`
 * profile, or the ARN of either. An application-inference-profile ARN hides its model, so it is
 * unknown (the conservative shape), like any id no entry recognises.
 */
export function resolveModel(modelId: string): ResolvedModel {
  const id = modelId.trim();
  if (APPLICATION_PROFILE_ARN.test(id)) return unknown(modelId, "application-profile");
  const profile = PROFILE_ARN.exec(id)?.[1];
  const model = MODEL_ARN.exec(id)?.[1];
  const bare = profile ?? model ?? id;
  const dot = bare.indexOf(".");
  const prefix = dot < 0 ? "" : bare.slice(0, dot);
  const scope: IdScope = (PROFILE_SCOPES as readonly string[]).includes(prefix) ? (prefix as ProfileScope) : "base";
  const rest = scope === "base" ? bare : bare.slice(dot + 1);
  const entry = MODEL_CATALOGUE.find((e) => matchesBase(rest, e.baseId));
  if (entry === undefined) return unknown(modelId, "unknown");
  return { modelId, entry, known: true, scope, prices: pricesFor(entry, scope) };
}

function matchesBase(id: string, baseId: string): boolean {
  const stem = baseId.replace(/(?:-\d{8})?(?:-v\d+(?::\d+)?)?$/, "");
  return id.startsWith(stem) && VERSION_SUFFIX.test(id.slice(stem.length));
}

function pricesFor(entry: ModelEntry, scope: IdScope): PricePerMtok {
  if (scope === "global") return entry.globalPrices;
  const m = entry.regionalMarkup;
  const p = entry.globalPrices;
  // Rounded to a hundredth of a cent per MTok: 2 * 1.1 must print as 2.2, not 2.2000000000000006.
  const r = (v: number) => Math.round(v * m * 10_000) / 10_000;
  return { input: r(p.input), output: r(p.output), cacheWrite: r(p.cacheWrite), cacheRead: r(p.cacheRead) };
}

function unknown(modelId: string, scope: IdScope): ResolvedModel {
  return { modelId, entry: UNKNOWN_MODEL, known: false, scope, prices: pricesFor(UNKNOWN_MODEL, "base") };
}

/** The profile id to suggest instead of a base id, e.g. `global.anthropic.claude-sonnet-5-5`. */
export function suggestedProfileId(entry: ModelEntry): string {
  return `global.${entry.baseId}`;
}
