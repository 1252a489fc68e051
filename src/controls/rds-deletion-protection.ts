import { asBool } from "./read.js";
import { attributeControl } from "./simple.js";

/** CKV_AWS_293 (instances) / CKV_AWS_139 (clusters): `deletion_protection = true`. */
export const rdsDeletionProtection = attributeControl({
  id: "rds-deletion-protection",
  title: "RDS deletion protection is enabled",
  vantaTestIds: [],
  checkovIds: ["CKV_AWS_293", "CKV_AWS_139"],
  resourceTypes: ["aws_db_instance", "aws_rds_cluster"],
  path: ["deletion_protection"],
  accept: (v) => asBool(v) === true,
  fixValue: "true",
  risks: ["terraform destroy of this database now fails until deletion_protection is turned off."],
});
