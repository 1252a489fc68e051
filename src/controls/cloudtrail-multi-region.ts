import { asBool } from "./read.js";
import { attributeControl } from "./simple.js";

/** CKV_AWS_67: `is_multi_region_trail = true`. Vanta's "CloudTrail enabled" test wants a multi-region trail. */
export const cloudtrailMultiRegion = attributeControl({
  id: "cloudtrail-multi-region",
  title: "CloudTrail trails cover every region",
  vantaTestIds: ["infra-activity-tracked-config"],
  checkovIds: ["CKV_AWS_67"],
  resourceTypes: ["aws_cloudtrail"],
  review: {
    impact: ["in-place", "cost-change"],
    applyNote:
      "The trail starts recording the events of every region, in place. The first copy of management events in each region is free; where another trail already records them this one becomes a paid copy, and the S3 log volume grows.",
    rollback:
      "Reverting limits the trail to its home region again; activity in the other regions is no longer recorded by it.",
  },
  path: ["is_multi_region_trail"],
  accept: (v) => asBool(v) === true,
  fixValue: "true",
});
