import { asNumber } from "./read.js";
import { attributeControl } from "./simple.js";

/**
 * CKV_AWS_338: `retention_in_days` ≥ 365, or 0. A log group without `retention_in_days` (or with
 * 0) never expires its events, which keeps them longer than a year: compliant. Checkov's
 * CKV_AWS_66 fails a missing retention (shared/reference/checkov-checks.md); TerraFix does not
 * (issue 14), and never "fixes" such a group to 365 days, which would delete older events.
 */
export const logGroupRetention = attributeControl({
  id: "log-group-retention",
  title: "CloudWatch log groups keep logs for at least a year",
  vantaTestIds: ["logs-retained-for-twelve-months-config"],
  checkovIds: ["CKV_AWS_338"],
  resourceTypes: ["aws_cloudwatch_log_group"],
  review: {
    impact: ["in-place", "cost-change"],
    applyNote:
      "retention_in_days is raised to 365 in place: events are kept longer, none are deleted. Only groups with a retention shorter than a year are changed; groups that never expire are left alone. The group then stores, and bills, up to a year of logs.",
    rollback:
      "Reverting restores the shorter retention; CloudWatch then deletes the events older than it.",
  },
  path: ["retention_in_days"],
  missing: "pass",
  accept: (v) => {
    const n = asNumber(v);
    return n !== undefined && (n === 0 || n >= 365);
  },
  fixValue: "365",
  risks: ["Longer retention raises CloudWatch Logs storage cost."],
});
