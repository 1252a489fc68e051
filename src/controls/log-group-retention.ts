import { asNumber } from "./read.js";
import { attributeControl } from "./simple.js";

/** CKV_AWS_338: `retention_in_days` ≥ 365, or 0 (never expire); missing fails. */
export const logGroupRetention = attributeControl({
  id: "log-group-retention",
  title: "CloudWatch log groups keep logs for at least a year",
  vantaTestIds: ["logs-retained-for-twelve-months-config"],
  checkovIds: ["CKV_AWS_338", "CKV_AWS_66"],
  resourceTypes: ["aws_cloudwatch_log_group"],
  review: {
    impact: ["in-place", "cost-change"],
    applyNote:
      "retention_in_days is set to 365 in place. A group that had no retention kept logs forever: events older than a year are then deleted. A group with a shorter retention stores, and bills, more logs.",
    rollback:
      "Reverting restores the previous retention; events already deleted by a retention period are gone for good.",
  },
  path: ["retention_in_days"],
  accept: (v) => {
    const n = asNumber(v);
    return n !== undefined && (n === 0 || n >= 365);
  },
  fixValue: "365",
  risks: ["Longer retention raises CloudWatch Logs storage cost."],
});
