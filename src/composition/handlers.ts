import { notImplementedHandlers, type CommandHandlers } from "../cli/context.js";

/** Wires every CLI command to the parts that do the work. */
export function createHandlers(): CommandHandlers {
  return notImplementedHandlers();
}
