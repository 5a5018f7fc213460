/**
 * Structured JSON logs (pino). Every value that could hold a secret is masked twice: known field
 * names by pino's redaction, and the secret values themselves wherever they appear in a message or
 * a field, by the same redactor that guards error messages.
 */
import { pino } from "pino";
import type { Redact } from "./redact.ts";

export { type LogFn, type Logger, silentLogger } from "./silent-logger.ts";

import type { Logger } from "./silent-logger.ts";

export type LoggerOptions = {
  level: "debug" | "info" | "warn" | "error";
  redact: Redact;
  /** Where lines go; default stdout. */
  destination?: { write(line: string): void };
};

export function createLogger(options: LoggerOptions): Logger {
  const deepRedact = (value: unknown, depth = 0): unknown => {
    if (typeof value === "string") return options.redact(value);
    if (depth > 6 || value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map((v) => deepRedact(v, depth + 1));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepRedact(v, depth + 1)]));
  };
  // Asynchronous: lines written while one write is in flight go out together, off the intake's
  // hot path; pino flushes what is left when the process exits (test/shared/logger.test.ts).
  const destination = options.destination ?? pino.destination({ sync: false });
  return pino(
    {
      level: options.level,
      base: { service: "fixture-bot" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          "token",
          "secret",
          "authorization",
          "*.token",
          "*.secret",
          "*.authorization",
          "headers.authorization",
        ],
        censor: "***",
      },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => deepRedact(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((a) => (typeof a === "string" ? options.redact(a) : a));
          return method.apply(this, cleaned as Parameters<typeof method>);
        },
      },
    },
    destination as pino.DestinationStream,
  ) as unknown as Logger;
}
