import { asBool } from "./read.js";
import { attributeControl } from "./simple.js";

/** CKV_AWS_17: `publicly_accessible` is not true. A negative check: missing passes. */
export const rdsNotPublic = attributeControl({
  id: "rds-not-public",
  title: "RDS instances are not publicly accessible",
  vantaTestIds: ["mysql-database-ports-restricted"],
  checkovIds: ["CKV_AWS_17"],
  resourceTypes: ["aws_db_instance", "aws_rds_cluster_instance"],
  review: {
    impact: ["in-place"],
    applyNote:
      "publicly_accessible changes in place and RDS applies it at once (whatever apply_immediately says); the endpoint then resolves only to its private address, so clients outside the VPC lose access.",
    rollback:
      "Reverting makes the endpoint resolve to a public address again; the security group still decides who can connect.",
    notCovered:
      "Vanta also asks to restrict the database's security group ingress to known CIDR ranges; this PR does not change the security group: review its rules.",
  },
  path: ["publicly_accessible"],
  accept: (v) => asBool(v) !== true,
  missing: "pass",
  fixValue: "false",
  risks: ["Clients that reach the database over the internet lose access."],
});
