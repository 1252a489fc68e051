import type { TextEdit } from "../domain/change.js";
import { addNestedBlock, setAttribute } from "../terraform/edit.js";
import type { HclBlock } from "../terraform/parse.js";
import { textOf } from "./context.js";
import { expectTrue, noteUnknownText, read, worst } from "./read.js";
import { unknownReason } from "./simple.js";
import type { CheckResult, Control, ControlContext, FixPlan, ResourceRef } from "./types.js";

/**
 * EBS volumes are encrypted, wherever the code declares one:
 * - `aws_ebs_volume`: `encrypted = true` (CKV_AWS_3).
 * - `aws_instance`, `aws_launch_configuration`: a `root_block_device` must exist and be encrypted,
 *   and so must every `ebs_block_device` (CKV_AWS_8). Without `root_block_device` the root volume
 *   is whatever the AMI gives, which the code does not make encrypted.
 * - `aws_launch_template`: every `block_device_mappings { ebs { ... } }` is encrypted. A template
 *   that declares no mappings uses the AMI's, which the code does not show: unknown, with that reason.
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/instance#ebs-ephemeral-and-root-block-devices
 */
const TYPES = ["aws_ebs_volume", "aws_instance", "aws_launch_configuration", "aws_launch_template"] as const;

interface Volume {
  /** The block that holds `encrypted` (absent: the block itself must be added). */
  block: HclBlock | undefined;
  /** Where a missing block goes, and its type. */
  parent: HclBlock;
  type: string;
  result: CheckResult;
}

function volumes(resource: ResourceRef): Volume[] {
  const block = resource.block;
  switch (resource.type) {
    case "aws_ebs_volume":
      return [{ block, parent: block, type: "", result: expectTrue(read(block.body, "encrypted")) }];
    case "aws_instance":
    case "aws_launch_configuration": {
      const root = block.blocks.find((b) => b.type === "root_block_device");
      const out: Volume[] = [{ block: root, parent: block, type: "root_block_device", result: root === undefined ? "fail" : expectTrue(read(root.body, "encrypted")) }];
      for (const ebs of block.blocks.filter((b) => b.type === "ebs_block_device")) out.push({ block: ebs, parent: block, type: "ebs_block_device", result: deviceResult(ebs) });
      return out;
    }
    case "aws_launch_template":
      return block.blocks
        .filter((b) => b.type === "block_device_mappings")
        .flatMap((mapping) => {
          const ebs = mapping.blocks.find((b) => b.type === "ebs");
          // A mapping without `ebs` is an instance-store or suppressed device: no EBS volume.
          if (ebs === undefined) return [];
          return [{ block: ebs, parent: mapping, type: "ebs", result: deviceResult(ebs) }];
        });
    default:
      return [];
  }
}

/** A device from a snapshot without `encrypted` takes the snapshot's encryption, which the code does not show. */
function deviceResult(device: HclBlock): CheckResult {
  const encrypted = read(device.body, "encrypted");
  if (encrypted.state === "missing" && read(device.body, "snapshot_id").state !== "missing") {
    noteUnknownText("a volume created from snapshot_id without `encrypted` is as encrypted as the snapshot, which the code does not show");
    return "unknown";
  }
  return expectTrue(encrypted);
}

function check(resource: ResourceRef): CheckResult {
  if (resource.block.body === null) return expectTrue(read(null, "encrypted"));
  const found = volumes(resource);
  if (resource.type === "aws_launch_template" && found.length === 0) {
    noteUnknownText(`${resource.address} declares no EBS block_device_mappings: instances get the AMI's volumes, whose encryption the code does not show`);
    return "unknown";
  }
  return worst(found.map((v) => v.result));
}

function fix(resource: ResourceRef, ctx: ControlContext): FixPlan {
  const result = check(resource);
  if (result === "pass") return { kind: "compliant", reason: `${resource.address} declares only encrypted EBS volumes` };
  const text = textOf(ctx, resource.file);
  const edits: TextEdit[] = [];
  for (const volume of volumes(resource)) {
    if (volume.result === "pass") continue;
    if (volume.result === "unknown") return unknownReason("ebs-encryption", resource, "a volume's encryption");
    if (volume.block !== undefined) edits.push(setAttribute(text, volume.block, "encrypted", "true"));
    else edits.push(addNestedBlock(text, volume.parent, { type: volume.type, attributes: [["encrypted", "true"]] }));
  }
  if (edits.length === 0) return unknownReason("ebs-encryption", resource, "its volumes");
  const what = resource.type === "aws_ebs_volume" ? "encrypted = true" : "encrypted = true on every EBS volume";
  return {
    kind: "edits",
    files: [{ path: resource.file, edits }],
    summary: `Set ${what} of ${resource.address} (EBS volumes are encrypted)`,
    risks: [
      resource.type === "aws_launch_template"
        ? "A new template version: instances launched from it get encrypted volumes; running instances keep theirs."
        : resource.type === "aws_launch_configuration"
          ? "Launch configurations are immutable: Terraform creates a new one and the Auto Scaling group uses it for new instances."
          : resource.type === "aws_instance"
            ? "Encrypting an instance's root or EBS block device replaces the instance: snapshot its data first."
            : "Encrypting an existing volume replaces it: snapshot the data first.",
    ],
  };
}

export const ebsEncryption: Control = {
  id: "ebs-encryption",
  title: "EBS volumes are encrypted",
  vantaTestIds: [],
  checkovIds: ["CKV_AWS_3", "CKV_AWS_8"],
  resourceTypes: TYPES,
  review: {
    impact: ["replacement"],
    applyNote:
      "encrypted cannot change on an existing volume: Terraform replaces it (for an aws_instance's root or EBS block device, the whole instance) with a new, empty encrypted volume and the data is lost. Do not apply this as is: snapshot the volume, copy the snapshot with encryption and create the volume from it (snapshot_id). Launch templates and launch configurations only affect instances launched after the change.",
    rollback:
      "Reverting replaces the volume again, with an empty unencrypted one.",
  },
  check: (resource) => check(resource),
  fix,
};
