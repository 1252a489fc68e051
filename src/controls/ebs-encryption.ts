import { asBool } from "./read.js";
import { attributeControl } from "./simple.js";

/** CKV_AWS_3: `encrypted = true`. */
export const ebsEncryption = attributeControl({
  id: "ebs-encryption",
  title: "EBS volumes are encrypted",
  vantaTestIds: [],
  checkovIds: ["CKV_AWS_3"],
  resourceTypes: ["aws_ebs_volume"],
  path: ["encrypted"],
  accept: (v) => asBool(v) === true,
  fixValue: "true",
  risks: ["Encrypting an existing volume replaces it: snapshot the data first."],
});
