import { asBool, noteUnknownText, read } from "./read.js";
import { attributeControl } from "./simple.js";

/** CKV_AWS_7: `enable_key_rotation = true`, only for symmetric keys (others: UNKNOWN). */
export const kmsRotation = attributeControl({
  id: "kms-rotation",
  title: "KMS key rotation is enabled",
  vantaTestIds: [],
  checkovIds: ["CKV_AWS_7"],
  resourceTypes: ["aws_kms_key"],
  review: {
    impact: ["in-place", "cost-change"],
    applyNote:
      "Rotation is turned on in place; KMS creates new key material every year (or every rotation_period_in_days) and keeps every earlier version, so existing data still decrypts. Each of the first two rotations adds $1/month to the key (AWS KMS pricing since April 2024); later rotations add nothing.",
    rollback:
      "Reverting stops future rotations; key material already created is kept (and billed) until the key is deleted, so nothing encrypted becomes unreadable.",
  },
  path: ["enable_key_rotation"],
  accept: (v) => asBool(v) === true,
  fixValue: "true",
  precondition: (resource) => {
    const spec = read(resource.block.body, "customer_master_key_spec");
    if (spec.state === "unknown") return "unknown";
    if (spec.state === "known" && spec.value !== "SYMMETRIC_DEFAULT") {
      noteUnknownText(`customer_master_key_spec = ${String(spec.value)}: automatic rotation exists only for symmetric keys, so the control does not apply as written`);
      return "unknown";
    }
    return undefined;
  },
});
