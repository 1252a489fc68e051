import { asBool } from "./read.js";
import { attributeControl } from "./simple.js";

/** CKV_AWS_157: `multi_az = true`. */
export const rdsMultiAz = attributeControl({
  id: "rds-multi-az",
  title: "RDS instances are Multi-AZ",
  vantaTestIds: ["aws-rds-multi-az-redundancy"],
  checkovIds: ["CKV_AWS_157"],
  resourceTypes: ["aws_db_instance"],
  review: {
    impact: ["in-place", "cost-change"],
    applyNote:
      "Converted in place without downtime: RDS snapshots the instance and builds a standby in another Availability Zone, with higher latency meanwhile (at once with apply_immediately, else in the next maintenance window). The standby roughly doubles the instance and storage cost.",
    rollback:
      "Reverting converts back to Single-AZ in place: the standby is removed, the cost drops, and a zone failure again means downtime.",
  },
  path: ["multi_az"],
  accept: (v) => asBool(v) === true,
  fixValue: "true",
  risks: ["A standby replica roughly doubles the instance cost; the change is applied with a brief failover-free modification."],
});
