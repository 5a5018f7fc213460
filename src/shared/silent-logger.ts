/**
 * The logger shape every layer takes, and a logger that drops everything. Kept apart from
 * logger.ts (which loads pino) so that the CLI's commands, which log nothing, do not load pino.
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
