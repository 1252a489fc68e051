import { SG_TYPES, securityGroupControl } from "./sg-shared.js";

/** CKV_AWS_25: no ingress from 0.0.0.0/0 or ::/0 to port 3389. */
export const sgRdpOpen = securityGroupControl(
  {
    id: "sg-rdp-restricted",
    title: "Security groups do not allow RDP (3389) from the internet",
    vantaTestIds: [],
    checkovIds: ["CKV_AWS_25"],
    resourceTypes: SG_TYPES,
  },
  (from, to) => from <= 3389 && 3389 <= to,
);
