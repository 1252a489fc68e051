import type { TextEdit } from "../domain/change.js";
import { removeBlock, replaceNestedBlock } from "../terraform/edit.js";
import { connectedResources, textOf } from "./context.js";
import { blocksOf, isExpression, noteUnknownText, read, worst } from "./read.js";
import type { CheckResult, Control, ControlContext, FixPlan, ResourceRef } from "./types.js";

const SECURE = new Set(["HTTPS", "TLS", "TCP", "UDP", "TCP_UDP"]);

/**
 * CKV_AWS_2: the listener speaks HTTPS/TLS (or a layer-4 protocol), or it is HTTP and its default
 * action redirects to HTTPS. A missing protocol is HTTP, the provider's default for ALBs.
 */
function checkListener(listener: ResourceRef): CheckResult {
  const body = listener.block.body;
  if (body === null) return "unknown";
  const protocol = read(body, "protocol");
  if (protocol.state === "unknown") return "unknown";
  const value = protocol.state === "known" ? String(protocol.value).toUpperCase() : "HTTP";
  if (SECURE.has(value)) return "pass";
  if (value !== "HTTP") return "fail";
  const actions = blocksOf(body, "default_action");
  if (actions.some((a) => a.type === "redirect" && redirectProtocol(a) === "HTTPS")) return "pass";
  if (actions.some((a) => isExpression(a.type) || read(a, "redirect", "protocol").state === "unknown")) return "unknown";
  return "fail";
}

function redirectProtocol(action: Record<string, unknown>): unknown {
  const r = read(action, "redirect", "protocol");
  return r.state === "known" ? r.value : undefined;
}

const LB_TYPES = new Set(["aws_lb", "aws_alb"]);
const LISTENER_TYPES = ["aws_lb_listener", "aws_alb_listener"] as const;

/**
 * Vanta reports the load balancer, not its listener (CKV2_AWS_20 checks the same on aws_lb):
 * a load balancer passes when every listener the code attaches to it (`load_balancer_arn =
 * aws_lb.x.arn`) serves HTTPS or redirects to it. Network and gateway load balancers have no
 * HTTP listeners to redirect.
 */
function listenersOf(lb: ResourceRef, ctx: ControlContext): ResourceRef[] {
  return LISTENER_TYPES.flatMap((t) => connectedResources(ctx, lb, t, "load_balancer_arn"));
}

function check(resource: ResourceRef, ctx: ControlContext): CheckResult {
  if (!LB_TYPES.has(resource.type)) return checkListener(resource);
  const kind = read(resource.block.body, "load_balancer_type");
  if (kind.state === "known" && kind.value !== "application") return "pass";
  const listeners = listenersOf(resource, ctx);
  if (listeners.length === 0) {
    noteUnknownText(`no listener in the code is attached to ${resource.address} (load_balancer_arn = ${resource.type}.${resource.name}.arn)`);
    return "unknown";
  }
  return worst(listeners.map(checkListener));
}

/** For a load balancer, the fix goes to each of its failing listeners. */
function fix(resource: ResourceRef, ctx: ControlContext): FixPlan {
  if (!LB_TYPES.has(resource.type)) return fixListener(resource, ctx);
  const result = check(resource, ctx);
  if (result === "pass") return { kind: "compliant", reason: `every listener of ${resource.address} serves HTTPS or redirects to it` };
  const listeners = listenersOf(resource, ctx);
  if (listeners.length === 0) return { kind: "unsupported", reason: `alb-https-redirect: no listener in the code is attached to ${resource.address}; add an HTTP listener that redirects to HTTPS` };
  const plans = listeners.filter((l) => checkListener(l) !== "pass").map((l) => ({ listener: l, plan: fixListener(l, ctx) }));
  const refused = plans.find(({ plan }) => plan.kind !== "edits");
  if (refused !== undefined) return refused.plan.kind === "unsupported" ? refused.plan : { kind: "unsupported", reason: `alb-https-redirect: ${refused.listener.address} could not be changed` };
  const files = new Map<string, TextEdit[]>();
  for (const { plan } of plans) if (plan.kind === "edits") for (const f of plan.files) files.set(f.path, [...(files.get(f.path) ?? []), ...f.edits]);
  return {
    kind: "edits",
    files: [...files].map(([path, edits]) => ({ path, edits })),
    summary: `Redirect HTTP to HTTPS (301, port 443) on the listener(s) of ${resource.address}: ${plans.map(({ listener }) => listener.address).join(", ")}`,
    risks: ["The HTTP listener stops forwarding: an HTTPS listener on 443 must exist for clients to land on."],
  };
}

/** Replaces the default action with a permanent redirect to HTTPS on 443; other listener settings stay. */
function fixListener(listener: ResourceRef, ctx: ControlContext): FixPlan {
  const result = checkListener(listener);
  if (result === "pass") return { kind: "compliant", reason: `${listener.address} already serves HTTPS or redirects to it` };
  if (result === "unknown") return { kind: "unsupported", reason: `alb-https-redirect: the protocol or default action of ${listener.address} comes from an expression` };
  const text = textOf(ctx, listener.file);
  const actions = listener.block.blocks.filter((b) => b.type === "default_action");
  const redirect = {
    type: "default_action",
    attributes: [["type", '"redirect"']] as const,
    blocks: [{ type: "redirect", attributes: [["port", '"443"'], ["protocol", '"HTTPS"'], ["status_code", '"HTTP_301"']] as const }],
  };
  const [first, ...rest] = actions;
  if (first === undefined) return { kind: "unsupported", reason: `alb-https-redirect: ${listener.address} has no default_action block to replace` };
  const edits: TextEdit[] = [replaceNestedBlock(text, first, redirect), ...rest.map((b) => removeBlock(text, b))];
  return {
    kind: "edits",
    files: [{ path: listener.file, edits }],
    summary: `Redirect HTTP to HTTPS (301, port 443) on ${listener.address}`,
    risks: ["The HTTP listener stops forwarding: an HTTPS listener on 443 must exist for clients to land on."],
  };
}

export const albHttpsRedirect: Control = {
  id: "alb-https-redirect",
  title: "Load balancers redirect HTTP to HTTPS",
  vantaTestIds: ["load-balancer-http-to-https"],
  checkovIds: ["CKV_AWS_2", "CKV2_AWS_20"],
  resourceTypes: ["aws_lb_listener", "aws_alb_listener", "aws_lb", "aws_alb"],
  review: {
    impact: ["in-place"],
    applyNote:
      "The HTTP listener's default action becomes a 301 redirect to HTTPS on port 443, in place: clients that cannot follow redirects, and callers that post over plain HTTP, stop working. An HTTPS listener on 443 must exist.",
    rollback:
      "Reverting restores the previous default action on the HTTP listener.",
  },
  check,
  fix,
};
