import { asBool } from "./read.js";
import { attributeControl } from "./simple.js";

/** CKV_AWS_36: `enable_log_file_validation = true`. */
export const cloudtrailLogValidation = attributeControl({
  id: "cloudtrail-log-validation",
  title: "CloudTrail log file validation is enabled",
  vantaTestIds: [],
  checkovIds: ["CKV_AWS_36"],
  resourceTypes: ["aws_cloudtrail"],
  path: ["enable_log_file_validation"],
  accept: (v) => asBool(v) === true,
  fixValue: "true",
});
