import { asBool } from "./read.js";
import { attributeControl } from "./simple.js";

/** CKV_AWS_293 (instances) / CKV_AWS_139 (clusters): `deletion_protection = true`. */
export const rdsDeletionProtection = attributeControl({
  id: "rds-deletion-protection",
  title: "RDS deletion protection is enabled",
  vantaTestIds: [],
  checkovIds: ["CKV_AWS_293", "CKV_AWS_139"],
  resourceTypes: ["aws_db_instance", "aws_rds_cluster"],
  review: {
    impact: ["in-place"],
    applyNote:
      "Turned on in place with no outage. Afterwards deleting the database (terraform destroy, or a change that replaces it) fails until deletion_protection is set back to false and applied.",
    rollback:
      "Reverting turns deletion protection off; nothing else changes.",
  },
  path: ["deletion_protection"],
  accept: (v) => asBool(v) === true,
  fixValue: "true",
  risks: ["terraform destroy of this database now fails until deletion_protection is turned off."],
});
