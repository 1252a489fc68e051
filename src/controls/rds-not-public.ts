import { asBool } from "./read.js";
import { attributeControl } from "./simple.js";

/** CKV_AWS_17: `publicly_accessible` is not true. A negative check: missing passes. */
export const rdsNotPublic = attributeControl({
  id: "rds-not-public",
  title: "RDS instances are not publicly accessible",
  vantaTestIds: ["mysql-database-ports-restricted"],
  checkovIds: ["CKV_AWS_17"],
  resourceTypes: ["aws_db_instance", "aws_rds_cluster_instance"],
  path: ["publicly_accessible"],
  accept: (v) => asBool(v) !== true,
  missing: "pass",
  fixValue: "false",
  risks: ["Clients that reach the database over the internet lose access."],
});
