/**
 * Progress on stderr (stdout stays free for figures): one line per step with the elapsed time;
 * on a terminal, ticks within a step rewrite the current line.
 */
export interface Progress {
  section(name: string): void;
  step(message: string): void;
  /** A transient status inside the current step (rewritten in place on a TTY, throttled otherwise). */
  tick(message: string): void;
  warn(message: string): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = performance.now();
  const tty = stream.isTTY === true;
  let section = "";
  let lastTick = 0;
  let dirty = false;
  const stamp = (): string => {
    const s = Math.floor((performance.now() - started) / 1000);
    return `[${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}]`;
  };
  const clear = (): void => {
    if (tty && dirty) stream.write("\r\x1b[2K");
    dirty = false;
  };
  return {
    section(name) {
      clear();
      section = name;
      stream.write(`${stamp()} ── ${name} ──\n`);
    },
    step(message) {
      clear();
      stream.write(`${stamp()} ${section} › ${message}\n`);
    },
    tick(message) {
      const now = performance.now();
      if (tty) {
        stream.write(`\r\x1b[2K${stamp()} ${section} · ${message}`);
        dirty = true;
      } else if (now - lastTick > 5000) {
        stream.write(`${stamp()} ${section} · ${message}\n`);
        lastTick = now;
      }
    },
    warn(message) {
      clear();
      stream.write(`${stamp()} ${section} ! ${message}\n`);
    },
  };
}
