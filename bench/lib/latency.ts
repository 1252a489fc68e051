import type { GitHttpRequest } from "./git-http.js";
import { createRng } from "./rng.js";

/**
 * Latency models of the dependencies for experiments 1 and 2, compressed in time by `scale` so
 * a run fits the time budget (scale 1 = real-world figures):
 * - Bedrock (Claude Sonnet, forced tool use, a few hundred output tokens): lognormal, median 4 s,
 *   sigma 0.5 (P95 ≈ 9 s), seconds-scale as the issue asks.
 * - GitHub REST: sub-second; reads median 80 ms, writes median 250 ms, lognormal sigma 0.4.
 * - git over HTTP: the ref advertisement costs a round trip (40 ms); fetching objects costs
 *   100 ms plus the repository's size at 5 MB/s, so clone time grows with repository size.
 */
export interface LatencyModel {
  name: string;
  scale: number;
  bedrockMs(): number;
  githubMs(request: { method: string; path: string }): number;
  gitMs(request: GitHttpRequest, repoBytes: number): number;
  describe(): string;
}

export function lognormal(rng: { normal(): number }, medianMs: number, sigma: number): number {
  return medianMs * Math.exp(sigma * rng.normal());
}

export function realisticLatency(scale: number, seed = 42): LatencyModel {
  const rng = createRng(seed);
  const bedrock = { median: 4000, sigma: 0.5 };
  return {
    name: "realistic",
    scale,
    bedrockMs: () => Math.round(lognormal(rng, bedrock.median * scale, bedrock.sigma)),
    githubMs: ({ method }) => Math.round(lognormal(rng, (method === "GET" ? 80 : 250) * scale, 0.4)),
    gitMs: (request, repoBytes) =>
      Math.round((request.kind === "fetch" ? 100 + (repoBytes / (5 * 1024 * 1024)) * 1000 : 40) * scale),
    describe: () =>
      `time scale ${scale}: Bedrock lognormal median ${Math.round(bedrock.median * scale)} ms (σ ${bedrock.sigma}); ` +
      `GitHub reads median ${Math.round(80 * scale)} ms, writes ${Math.round(250 * scale)} ms (σ 0.4); ` +
      `git ref round trip ${Math.round(40 * scale)} ms, fetch ${Math.round(100 * scale)} ms + size at ${Math.round(5 / scale)} MB/s`,
  };
}

/** Expected value of the lognormal: median · e^(σ²/2). */
export function lognormalMean(medianMs: number, sigma: number): number {
  return medianMs * Math.exp((sigma * sigma) / 2);
}
