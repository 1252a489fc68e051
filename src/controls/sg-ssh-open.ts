import { SG_TYPES, securityGroupControl } from "./sg-shared.js";

/** CKV_AWS_24: no ingress from 0.0.0.0/0 or ::/0 to port 22. */
export const sgSshOpen = securityGroupControl(
  {
    id: "sg-ssh-restricted",
    title: "Security groups do not allow SSH (22) from the internet",
    vantaTestIds: ["firewall-config-server"],
    checkovIds: ["CKV_AWS_24"],
    resourceTypes: SG_TYPES,
    review: {
      impact: ["in-place"],
      applyNote:
        "The world-open SSH access is removed at once (inline rules change in place; a separate rule resource is updated or deleted). Anyone who reached port 22 from the internet loses access.",
      rollback:
        "Reverting opens port 22 to the internet again.",
      notCovered:
        "If SSH is still needed, add a rule for your bastion, VPN or office range (or use SSM Session Manager): this PR adds no narrower rule.",
    },
  },
  (from, to) => from <= 22 && 22 <= to,
);
