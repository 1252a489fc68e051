import { asBool } from "./read.js";
import { attributeControl } from "./simple.js";

/** CKV_AWS_67: `is_multi_region_trail = true`. Vanta's "CloudTrail enabled" test wants a multi-region trail. */
export const cloudtrailMultiRegion = attributeControl({
  id: "cloudtrail-multi-region",
  title: "CloudTrail trails cover every region",
  vantaTestIds: ["infra-activity-tracked-config"],
  checkovIds: ["CKV_AWS_67"],
  resourceTypes: ["aws_cloudtrail"],
  path: ["is_multi_region_trail"],
  accept: (v) => asBool(v) === true,
  fixValue: "true",
});
