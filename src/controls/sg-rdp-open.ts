import { SG_TYPES, securityGroupControl } from "./sg-shared.js";

/** CKV_AWS_25: no ingress from 0.0.0.0/0 or ::/0 to port 3389. */
export const sgRdpOpen = securityGroupControl(
  {
    id: "sg-rdp-restricted",
    title: "Security groups do not allow RDP (3389) from the internet",
    vantaTestIds: [],
    checkovIds: ["CKV_AWS_25"],
    resourceTypes: SG_TYPES,
    review: {
      impact: ["in-place"],
      applyNote:
        "The world-open RDP access is removed at once (inline rules change in place; a separate rule resource is updated or deleted). Anyone who reached port 3389 from the internet loses access.",
      rollback:
        "Reverting opens port 3389 to the internet again.",
      notCovered:
        "If RDP is still needed, add a rule for your bastion, VPN or office range (or use Fleet Manager): this PR adds no narrower rule.",
    },
  },
  (from, to) => from <= 3389 && 3389 <= to,
);
