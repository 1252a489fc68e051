import { execFileSync } from "node:child_process";
import { cpus, freemem, platform, release, totalmem } from "node:os";

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  freeMemoryGb: number;
  node: string;
  os: string;
  git: string | null;
  terraform: string | null;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    freeMemoryGb: Math.round((freemem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()}`,
    git: version("git", ["--version"]),
    terraform: version(process.env.TERRAFIX_TERRAFORM_BIN ?? "terraform", ["version"]),
  };
}

function version(binary: string, args: string[]): string | null {
  try {
    return execFileSync(binary, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 }).split("\n")[0]!.trim();
  } catch {
    return null;
  }
}

export function machineMarkdown(m: MachineInfo): string {
  return [
    `- **CPU**: ${m.cpuModel}, ${m.cores} cores`,
    `- **Memory**: ${m.memoryGb} GB (${m.freeMemoryGb} GB free at start)`,
    `- **Node**: ${m.node} on ${m.os}`,
    `- **git**: ${m.git ?? "not found"}; **terraform**: ${m.terraform ?? "not found"}`,
  ].join("\n");
}
