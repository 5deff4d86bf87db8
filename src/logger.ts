import { pino } from 'pino';

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

export const logger = pino({
  // Set from config at boot (src/config.ts is the only reader of the environment).
  level: 'info',
  redact: { paths: redactPaths, censor: '[redacted]' },
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
});

export type Logger = typeof logger;
