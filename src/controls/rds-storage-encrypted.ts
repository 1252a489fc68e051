import { asBool } from "./read.js";
import { attributeControl } from "./simple.js";

/** CKV_AWS_16 (instances) / CKV_AWS_96 (Aurora clusters): `storage_encrypted = true`; missing fails. */
export const rdsStorageEncrypted = attributeControl({
  id: "rds-storage-encrypted",
  title: "RDS storage is encrypted at rest",
  vantaTestIds: [],
  checkovIds: ["CKV_AWS_16", "CKV_AWS_96"],
  resourceTypes: ["aws_db_instance", "aws_rds_cluster"],
  path: ["storage_encrypted"],
  accept: (v) => asBool(v) === true,
  fixValue: "true",
  // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_instance#storage_encrypted
  risks: ["Changing storage_encrypted forces a new database: plan a snapshot restore or migration window."],
});
