import { ValidationError } from '../../errors.ts';
import { configObject, optionalEnvName } from '../config-fields.ts';

export interface LineConfig {
  /** Name of the environment variable holding the channel secret (signs webhooks). */
  channelSecretEnv: string | null;
  /**
   * The official account's bot user id (U + 32 hex). When set, deliveries addressed to another
   * bot are refused even if signed, so one channel secret cannot feed events into another source.
   */
  destination: string | null;
}

export function parseLineConfig(input: unknown): LineConfig {
  const raw = configObject(input);
  let destination: string | null = null;
  if (raw.destination !== undefined && raw.destination !== null) {
    if (typeof raw.destination !== 'string' || !/^U[0-9a-f]{32}$/.test(raw.destination)) {
      throw new ValidationError('destination: U で始まる 33 文字のボットユーザー ID (bot user id, U + 32 hex)');
    }
    destination = raw.destination;
  }
  return { channelSecretEnv: optionalEnvName(raw.channelSecretEnv, 'channelSecretEnv'), destination };
}
