import { asBool } from "./read.js";
import { attributeControl } from "./simple.js";

/** CKV_AWS_157: `multi_az = true`. */
export const rdsMultiAz = attributeControl({
  id: "rds-multi-az",
  title: "RDS instances are Multi-AZ",
  vantaTestIds: ["aws-rds-multi-az-redundancy"],
  checkovIds: ["CKV_AWS_157"],
  resourceTypes: ["aws_db_instance"],
  path: ["multi_az"],
  accept: (v) => asBool(v) === true,
  fixValue: "true",
  risks: ["A standby replica roughly doubles the instance cost; the change is applied with a brief failover-free modification."],
});
