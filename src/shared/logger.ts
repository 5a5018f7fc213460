/**
 * The logging interface every layer takes as a dependency (pino-compatible: `log.info(obj, msg)`).
 * `silentLogger` for tests and quiet CLI runs.
 */
export type LogFn = (obj: Record<string, unknown>, msg?: string) => void;

export type Logger = {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
};

const noop: LogFn = () => undefined;

export const silentLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};
