/**
 * A registry of secret values known to this process (tokens, client secrets, private keys).
 * pino's `redact` only covers known paths; a secret that ends up inside an error message or an
 * unexpected field would still leak, so every log line, PR body and error message is also
 * scrubbed of the registered values themselves.
 */
export const REDACTED = "[REDACTED]";

/** Values shorter than this are not registered: scrubbing "abc" everywhere would mangle text. */
const MIN_SECRET_LENGTH = 6;

export class SecretRegistry {
  readonly #values = new Set<string>();
  #pattern: RegExp | undefined;

  add(value: string | undefined): void {
    if (value === undefined) return;
    const trimmed = value.trim();
    if (trimmed.length < MIN_SECRET_LENGTH || this.#values.has(trimmed)) return;
    this.#values.add(trimmed);
    // A PEM key is also logged line by line or with escaped newlines; register its lines too.
    if (trimmed.includes("\n")) {
      for (const line of trimmed.split(/\r?\n/)) {
        if (line.length >= 16 && !line.startsWith("-----")) this.#values.add(line);
      }
      this.#values.add(trimmed.replace(/\r?\n/g, "\\n"));
    }
    this.#pattern = undefined;
  }

  get size(): number {
    return this.#values.size;
  }

  scrub(text: string): string {
    if (this.#values.size === 0) return text;
    this.#pattern ??= new RegExp(
      [...this.#values]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join("|"),
      "g",
    );
    return text.replace(this.#pattern, REDACTED);
  }
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The process-wide registry; the composition root fills it from the secret config options. */
export const secrets = new SecretRegistry();
