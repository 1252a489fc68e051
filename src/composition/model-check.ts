import type { Logger } from "../observability/logger.js";
import type { FixModel } from "../ports/fix-model.js";

/**
 * What /readyz says about the model: `ok` (one call succeeded at start), `failed` (a
 * configuration answer: wrong id, retired model, no access — the operator must act, so the
 * replica is not ready), `unverified` (the check hit a transient error; jobs will retry the
 * model), `skipped` (the configuration never calls the model), `pending` (still running).
 */
export interface ModelReadiness {
  status: "ok" | "failed" | "unverified" | "skipped" | "pending";
  modelId?: string;
  detail: string;
}

export interface ModelCheck {
  current(): ModelReadiness;
  done: Promise<ModelReadiness>;
}

/**
 * The daemon's start-up check: one minimal Converse call, logged, so an operator learns of a
 * wrong or retired model on deploy rather than on the first failure the rules cannot fix. It
 * runs beside the daemon (a slow model never delays polling) and never throws.
 */
export function startModelCheck(model: FixModel | undefined, logger: Logger, signal?: AbortSignal): ModelCheck {
  let state: ModelReadiness;
  if (model === undefined) {
    state = { status: "skipped", detail: "TERRAFIX_GENERATOR=rules: the model is never called, so its access is not checked" };
    logger.info({ model: state }, "model check skipped");
    return { current: () => state, done: Promise.resolve(state) };
  }
  state = { status: "pending", modelId: model.modelId, detail: "checking model access" };
  const done = model.checkAccess(signal).then((result) => {
    const fields = { modelId: model.modelId, family: model.profile.family };
    if (result.status === "ok") {
      state = { status: "ok", modelId: model.modelId, detail: `${model.profile.name} answered in ${result.latencyMs} ms` };
      logger.info({ ...fields, latencyMs: result.latencyMs, requestId: result.requestId }, "model check passed");
    } else if (result.kind === "config") {
      state = { status: "failed", modelId: model.modelId, detail: result.message };
      logger.error({ ...fields, kind: result.kind, reason: result.message }, "model check failed");
    } else {
      state = { status: "unverified", modelId: model.modelId, detail: result.message };
      logger.warn({ ...fields, kind: result.kind, reason: result.message }, "model check inconclusive");
    }
    return state;
  });
  return { current: () => state, done };
}
