/**
 * Parses an HTTP `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * Vanta documents no such header (shared/reference/vanta-api.md) but we honour it when present.
 * Returns milliseconds to wait (never negative), or undefined when absent or unparseable.
 */
export function parseRetryAfter(value: unknown, now: number = Date.now()): number | undefined {
  const text: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof text !== "string" && typeof text !== "number") return undefined;
  const trimmed = String(text).trim();
  if (trimmed === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // Only an IMF-fixdate/RFC 850/asctime-looking value is a date; "soon" or "-5" are ignored.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
