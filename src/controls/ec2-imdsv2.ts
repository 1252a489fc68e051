import { expectValue, read } from "./read.js";
import { attributeControl } from "./simple.js";

/**
 * CKV_AWS_79: `metadata_options { http_tokens = "required" }` or the endpoint disabled; a missing
 * metadata_options block fails.
 */
export const ec2Imdsv2 = attributeControl({
  id: "ec2-imdsv2",
  title: "EC2 instance metadata requires IMDSv2 tokens",
  vantaTestIds: ["infra-ec2instances-imdsv1-disabled"],
  checkovIds: ["CKV_AWS_79"],
  resourceTypes: ["aws_instance", "aws_launch_template", "aws_launch_configuration"],
  review: {
    impact: ["in-place"],
    applyNote:
      "metadata_options change in place without a reboot (a launch template gets a new version; running instances keep theirs). Software on the instance that still uses IMDSv1 (old SDKs and agents, plain curl scripts) stops getting metadata and credentials.",
    rollback:
      "Reverting sets http_tokens back to optional, allowing IMDSv1 again.",
  },
  path: ["metadata_options", "http_tokens"],
  accept: (v) => v === "required",
  fixValue: '"required"',
  check: (resource) => {
    const endpoint = read(resource.block.body, "metadata_options", "http_endpoint");
    if (endpoint.state === "known" && endpoint.value === "disabled") return "pass";
    const tokens = expectValue(read(resource.block.body, "metadata_options", "http_tokens"), (v) => v === "required");
    // Tokens not required, but the endpoint may be disabled by an expression: not knowable here.
    return tokens !== "pass" && endpoint.state === "unknown" ? "unknown" : tokens;
  },
  risks: ["Software on the instance that still uses IMDSv1 (old SDKs, scripts with plain curl) stops getting credentials."],
});
