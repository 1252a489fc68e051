import { asBool } from "./read.js";
import { attributeControl } from "./simple.js";

/** CKV_AWS_28: `point_in_time_recovery { enabled = true }`. */
export const dynamodbPitr = attributeControl({
  id: "dynamodb-pitr",
  title: "DynamoDB point-in-time recovery is enabled",
  vantaTestIds: ["aws-dynamodb-pitr-backups"],
  checkovIds: ["CKV_AWS_28"],
  resourceTypes: ["aws_dynamodb_table"],
  path: ["point_in_time_recovery", "enabled"],
  accept: (v) => asBool(v) === true,
  fixValue: "true",
});
