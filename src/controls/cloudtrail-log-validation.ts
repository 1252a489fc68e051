import { asBool } from "./read.js";
import { attributeControl } from "./simple.js";

/** CKV_AWS_36: `enable_log_file_validation = true`. */
export const cloudtrailLogValidation = attributeControl({
  id: "cloudtrail-log-validation",
  title: "CloudTrail log file validation is enabled",
  vantaTestIds: [],
  checkovIds: ["CKV_AWS_36"],
  resourceTypes: ["aws_cloudtrail"],
  review: {
    impact: ["in-place"],
    applyNote:
      "Turned on in place; CloudTrail starts writing an hourly digest file next to the logs (a little S3 storage).",
    rollback:
      "Reverting stops new digest files; existing ones stay, and logs delivered while validation is off cannot be validated.",
  },
  path: ["enable_log_file_validation"],
  accept: (v) => asBool(v) === true,
  fixValue: "true",
});
