import { asBool } from "./read.js";
import { attributeControl } from "./simple.js";

/** CKV_AWS_16 (instances) / CKV_AWS_96 (Aurora clusters): `storage_encrypted = true`; missing fails. */
export const rdsStorageEncrypted = attributeControl({
  id: "rds-storage-encrypted",
  title: "RDS storage is encrypted at rest",
  vantaTestIds: [],
  checkovIds: ["CKV_AWS_16", "CKV_AWS_96"],
  resourceTypes: ["aws_db_instance", "aws_rds_cluster"],
  review: {
    impact: ["replacement"],
    applyNote:
      "storage_encrypted cannot change on an existing database: Terraform destroys it and creates a new, empty one. Do not apply this as is: migrate through an encrypted snapshot copy and restore, or a replica, in a planned window.",
    rollback:
      "Reverting forces another replacement of the database; keep a snapshot to restore the data.",
  },
  path: ["storage_encrypted"],
  accept: (v) => asBool(v) === true,
  fixValue: "true",
  // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_instance#storage_encrypted
  risks: ["Changing storage_encrypted forces a new database: plan a snapshot restore or migration window."],
});
