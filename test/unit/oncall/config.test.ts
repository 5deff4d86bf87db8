import { expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { readCredentialEnv } from '../../../src/collection/credential-env.ts';

it('on-call settings: defaults, durations, a short secret refused without echoing it, the secret never handed to sources', () => {
  expect(loadConfig({}).oncall).toEqual({ secret: null, ackLinkTtlMs: 24 * 3_600_000, pollMs: 15_000 });
  const key = 'k'.repeat(40);
  expect(loadConfig({ HINOKO_SECRET: key, HINOKO_ACK_LINK_TTL: '2h', HINOKO_ESCALATION_POLL: '5s' }).oncall).toEqual({
    secret: key,
    ackLinkTtlMs: 7_200_000,
    pollMs: 5000,
  });
  try {
    loadConfig({ HINOKO_SECRET: 'short-secret-value' });
    expect.unreachable();
  } catch (err) {
    expect((err as Error).message).toContain('HINOKO_SECRET must be at least 32 characters');
    expect((err as Error).message).not.toContain('short-secret-value');
  }
  expect(() => loadConfig({ HINOKO_ACK_LINK_TTL: '10s' })).toThrow(/HINOKO_ACK_LINK_TTL/);
  const config = loadConfig({ HINOKO_SOURCE_CREDENTIAL_ENV: 'HINOKO_*' });
  expect(readCredentialEnv(config, '1', 'HINOKO_SECRET', { HINOKO_SECRET: key })).toBeUndefined();
});
