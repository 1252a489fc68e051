import { asBool } from "./read.js";
import { attributeControl } from "./simple.js";

/** CKV_AWS_28: `point_in_time_recovery { enabled = true }`. */
export const dynamodbPitr = attributeControl({
  id: "dynamodb-pitr",
  title: "DynamoDB point-in-time recovery is enabled",
  vantaTestIds: ["aws-dynamodb-pitr-backups"],
  checkovIds: ["CKV_AWS_28"],
  resourceTypes: ["aws_dynamodb_table"],
  review: {
    impact: ["in-place", "cost-change"],
    applyNote:
      "Continuous backups are turned on in place without affecting the table's performance; they are billed per GB-month of table size, plus restores.",
    rollback:
      "Reverting turns point-in-time recovery off and deletes its restore points: the table can no longer be restored to an earlier time.",
  },
  path: ["point_in_time_recovery", "enabled"],
  accept: (v) => asBool(v) === true,
  fixValue: "true",
});
