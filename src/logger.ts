import { pino } from 'pino';
import pretty from 'pino-pretty';

// Secrets never reach the log: any field with one of these names is replaced, however deep.
const redactPaths = [
  'password',
  'token',
  'apiToken',
  'secret',
  'authorization',
  'accessToken',
  'appSecret',
  'channelSecret',
  'databaseUrl',
  'smtpUrl',
].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

const options: pino.LoggerOptions = {
  // Set from config at boot (src/config.ts is the only reader of the environment).
  level: 'info',
  redact: { paths: redactPaths, censor: '[redacted]' },
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
};

/**
 * A person at a terminal reads lines (local time, level, message, fields); anything else — a
 * service manager, a container's log driver, a file — gets one JSON object per line. Written
 * synchronously, like pino's default destination, so nothing is lost at exit.
 */
export function createLogger(terminal: boolean, destination: NodeJS.WritableStream = process.stdout) {
  return terminal
    ? pino(options, pretty({ colorize: true, sync: true, destination, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss', ignore: 'pid,hostname' }))
    : pino(options, destination === process.stdout ? pino.destination({ dest: 1, sync: true }) : destination);
}

export const logger = createLogger(process.stdout.isTTY === true);

export type Logger = typeof logger;
