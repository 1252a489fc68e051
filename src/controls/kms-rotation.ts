import { asBool, read } from "./read.js";
import { attributeControl } from "./simple.js";

/** CKV_AWS_7: `enable_key_rotation = true`, only for symmetric keys (others: UNKNOWN). */
export const kmsRotation = attributeControl({
  id: "kms-rotation",
  title: "KMS key rotation is enabled",
  vantaTestIds: [],
  checkovIds: ["CKV_AWS_7"],
  resourceTypes: ["aws_kms_key"],
  path: ["enable_key_rotation"],
  accept: (v) => asBool(v) === true,
  fixValue: "true",
  precondition: (resource) => {
    const spec = read(resource.block.body, "customer_master_key_spec");
    if (spec.state === "unknown") return "unknown";
    if (spec.state === "known" && spec.value !== "SYMMETRIC_DEFAULT") return "unknown";
    return undefined;
  },
});
