import { pino, type Logger, type LoggerOptions, type DestinationStream } from "pino";
import pretty from "pino-pretty";
import { secrets as processSecrets, REDACTED, type SecretRegistry } from "./secrets.js";

export type { Logger } from "pino";

/**
 * Paths pino censors structurally. Values are also scrubbed textually (see secrets.ts), which
 * catches a secret that slips into a message or an unexpected field.
 */
export const REDACT_PATHS = [
  "authorization",
  "*.authorization",
  "*.Authorization",
  "headers.authorization",
  "*.headers.authorization",
  "*.headers.Authorization",
  "req.headers.authorization",
  "request.headers.authorization",
  "config.headers.authorization",
  "*.config.headers.Authorization",
  "*.config.headers.authorization",
  "token",
  "*.token",
  "accessToken",
  "*.accessToken",
  "access_token",
  "*.access_token",
  "client_secret",
  "*.client_secret",
  "clientSecret",
  "*.clientSecret",
  "password",
  "*.password",
  "privateKey",
  "*.privateKey",
  "vantaClientSecret",
  "*.vantaClientSecret",
  "githubToken",
  "*.githubToken",
  "githubAppPrivateKey",
  "*.githubAppPrivateKey",
];

export interface LoggerSettings {
  level?: string;
  format?: "json" | "pretty";
  /** A stream for the lines (tests); else the file descriptor of `to`. */
  destination?: DestinationStream & { isTTY?: boolean };
  /**
   * Default stderr: stdout is the one-shot commands' output (summaries, `--json`), never mixed
   * with logs. The daemon (`run`) has no output of its own and logs to stdout, as containers expect.
   */
  to?: "stdout" | "stderr";
  secrets?: SecretRegistry;
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const registry = settings.secrets ?? processSecrets;
  const options: LoggerOptions = {
    level: settings.level ?? "info",
    base: { service: "terrafix" },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    hooks: {
      // The final serialized line: scrub any registered secret value wherever it appears.
      streamWrite: (line: string) => registry.scrub(line),
    },
  };
  const destination = settings.destination;
  const fd = settings.to === "stdout" ? 1 : 2;
  if (settings.format === "pretty") {
    // Colours only on a terminal: piped or redirected output gets plain text.
    const colorize = destination === undefined ? (fd === 1 ? process.stdout : process.stderr).isTTY === true : destination.isTTY === true;
    // In this thread (no transport worker), so the last lines are written before a command exits.
    return pino(options, pretty({ colorize, destination: destination ?? fd, sync: true }));
  }
  return pino(options, destination ?? pino.destination({ fd, sync: true }));
}

/** A logger that discards everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
