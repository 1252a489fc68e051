#!/usr/bin/env node
// Entry point. Runs the compiled JavaScript in dist/ (built by `npm run build`, which `prepare`
// runs on `npm ci`/`npm install`; the container image ships only dist/). In a source checkout
// whose dist/ is missing or older than a file under src/, it runs the sources through tsx
// instead, so an edit is never hidden by a stale build (slower start: ~1 s of compiling).
// Everything runs in this process: there is no child to pass signals to, so SIGINT/SIGTERM
// reach the daemon's own handlers (src/daemon/signals.ts). Under `npx`/`npm exec` there is a
// shell between npm and this process; npm passes a SIGTERM on to that shell, which dies without
// passing it on, and this process would live on as an orphan. So when npm launched us and our
// parent goes away, we send ourselves the SIGTERM it would have passed on.
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { clearInterval, setInterval } from "node:timers";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const compiled = join(root, "dist", "main.js");
const sources = join(root, "src");

/** True when a file under `dir` was modified after `time` (ms). */
function newerThan(dir, time) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() ? newerThan(path, time) : statSync(path).mtimeMs > time) return true;
  }
  return false;
}

if (process.env.npm_command !== undefined) watchLauncher();

/**
 * Sends ourselves SIGTERM once the process npm started us under exits, unless a signal reached us
 * already (Ctrl-C signals the whole process group: the daemon is then stopping gracefully, and a
 * second signal would force it). Our listeners only take note: when no one else listens for the
 * signal, they re-raise it, so its default action (exit) is kept.
 */
function watchLauncher() {
  const launcher = process.ppid;
  let signalled = false;
  for (const signal of ["SIGINT", "SIGTERM"]) {
    const note = () => {
      signalled = true;
      if (process.listenerCount(signal) > 1) return;
      process.removeListener(signal, note);
      process.kill(process.pid, signal);
    };
    process.on(signal, note);
  }
  const watch = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(watch);
    if (!signalled) process.kill(process.pid, "SIGTERM");
  }, 250);
  watch.unref();
}

const built = existsSync(compiled) ? statSync(compiled).mtimeMs : undefined;
if (existsSync(sources) && (built === undefined || newerThan(sources, built))) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(join(sources, "main.ts")).href);
} else if (built !== undefined) {
  await import(pathToFileURL(compiled).href);
} else {
  process.stderr.write("terrafix: dist/main.js is missing; run `npm run build`\n");
  process.exitCode = 2;
}
