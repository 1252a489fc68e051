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
  review: {
    impact: ["in-place", "cost-change"],
    applyNote:
      "The table switches from the AWS owned key to a KMS key (the AWS managed key aws/dynamodb unless kms_key_arn names one) in place, with no downtime; KMS request charges apply.",
    rollback:
      "Reverting switches the table back to the AWS owned key, in place.",
  },
  path: ["server_side_encryption", "enabled"],
  accept: (v) => asBool(v) === true,
  fixValue: "true",
});
