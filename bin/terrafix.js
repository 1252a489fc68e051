#!/usr/bin/env node
// Entry point. In a source checkout (src/ present) the TypeScript sources run directly through
// tsx, so `npx terrafix` works right after `npm ci`; the container image ships only dist/.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "src", "main.ts");
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(source).href);
} else {
  await import(pathToFileURL(join(root, "dist", "main.js")).href);
}
