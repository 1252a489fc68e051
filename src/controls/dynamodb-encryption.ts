import { asBool } from "./read.js";
import { attributeControl } from "./simple.js";

/**
 * CKV_AWS_119: `server_side_encryption { enabled = true }` (a KMS key; without `kms_key_arn` AWS
 * uses its managed key for DynamoDB).
 */
export const dynamodbEncryption = attributeControl({
  id: "dynamodb-encryption",
  title: "DynamoDB tables are encrypted with KMS",
  vantaTestIds: ["aws-dynamodb-encryption"],
  checkovIds: ["CKV_AWS_119"],
  resourceTypes: ["aws_dynamodb_table"],
  path: ["server_side_encryption", "enabled"],
  accept: (v) => asBool(v) === true,
  fixValue: "true",
});
