import { SG_TYPES, securityGroupControl } from "./sg-shared.js";

/**
 * No port but 80 and 443 open to the world (Vanta's "EC2 public ports other than 80/443", which
 * also covers RDP). Closest Checkov check: CKV_AWS_277 (any port open to the world).
 */
export const sgPortsOpen = securityGroupControl(
  {
    id: "sg-ports-restricted",
    title: "Security groups open only ports 80 and 443 to the internet",
    vantaTestIds: ["aws-ec2instances-ports-restricted"],
    checkovIds: ["CKV_AWS_277"],
    resourceTypes: SG_TYPES,
    review: {
      impact: ["in-place"],
      applyNote:
        "World-open access to ports other than 80 and 443 is removed at once (inline rules change in place; a separate rule resource is updated or deleted). Clients that reached those ports from the internet lose access.",
      rollback:
        "Reverting opens those ports to the internet again.",
      notCovered:
        "Where a port must stay reachable, add a rule for the known client ranges (or put it behind a load balancer): this PR adds no narrower rule.",
    },
  },
  (from, to) => !((from === 80 && to === 80) || (from === 443 && to === 443)),
);
