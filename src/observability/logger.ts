import { pino, type Logger, type LoggerOptions, type DestinationStream } from "pino";
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
  /** Where lines go; defaults to stdout (or pino-pretty when format is pretty). */
  destination?: DestinationStream;
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
  if (settings.destination !== undefined) return pino(options, settings.destination);
  if (settings.format === "pretty") {
    return pino({ ...options, transport: { target: "pino-pretty", options: { colorize: true, destination: 2 } } });
  }
  return pino(options);
}

/** A logger that discards everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
