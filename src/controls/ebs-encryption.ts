import { asBool } from "./read.js";
import { attributeControl } from "./simple.js";

/** CKV_AWS_3: `encrypted = true`. */
export const ebsEncryption = attributeControl({
  id: "ebs-encryption",
  title: "EBS volumes are encrypted",
  vantaTestIds: [],
  checkovIds: ["CKV_AWS_3"],
  resourceTypes: ["aws_ebs_volume"],
  review: {
    impact: ["replacement"],
    applyNote:
      "encrypted cannot change on an existing volume: Terraform replaces it with a new, empty encrypted volume and the data is lost. Do not apply this as is: snapshot the volume, copy the snapshot with encryption and create the volume from it (snapshot_id).",
    rollback:
      "Reverting replaces the volume again, with an empty unencrypted one.",
  },
  path: ["encrypted"],
  accept: (v) => asBool(v) === true,
  fixValue: "true",
  risks: ["Encrypting an existing volume replaces it: snapshot the data first."],
});
