import { SG_TYPES, securityGroupControl } from "./sg-shared.js";

/** CKV_AWS_24: no ingress from 0.0.0.0/0 or ::/0 to port 22. */
export const sgSshOpen = securityGroupControl(
  {
    id: "sg-ssh-restricted",
    title: "Security groups do not allow SSH (22) from the internet",
    vantaTestIds: ["firewall-config-server"],
    checkovIds: ["CKV_AWS_24"],
    resourceTypes: SG_TYPES,
  },
  (from, to) => from <= 22 && 22 <= to,
);
