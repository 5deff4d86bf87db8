import { describe, expect, it } from 'vitest';
import { loadConfig, parseDuration } from '../../../src/config.ts';
import { credentialEnvAllowed, readCredentialEnv } from '../../../src/collection/credential-env.ts';

describe('configuration', () => {
  it('has defaults that run the demo on an embedded Postgres', () => {
    const c = loadConfig({});
    expect(c.database.url).toBeNull();
    expect(c.http).toMatchObject({ host: '127.0.0.1', port: 8787 });
    expect(c.auth).toMatchObject({
      sessionIdleMs: 7_200_000,
      sessionMaxMs: 43_200_000,
      maxFailures: 5,
      lockWindowMs: 900_000,
      lockMs: 900_000,
      scryptLogN: 17,
    });
    expect(c.demo).toMatchObject({ mode: 'auto', flareAfterMs: 180_000, flareAfterExplicit: false });
    // Set in the environment, even to the default: a start with a demo schedules another flare-up.
    expect(loadConfig({ HINOKO_DEMO_FLARE_AFTER: '3m' }).demo).toMatchObject({ flareAfterMs: 180_000, flareAfterExplicit: true });
    expect(c.dataDir.endsWith('.hinoko')).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('names every variable that is wrong, and never echoes a database URL', () => {
    let message = '';
    try {
      loadConfig({
        PORT: 'eighty',
        HINOKO_DEMO: 'maybe',
        HINOKO_DEMO_FLARE_AFTER: 'soon',
        DATABASE_URL: 'mysql://root:hunter2@db/x',
        HINOKO_API_TOKEN: 'short',
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('PORT must be an integer');
    expect(message).toContain('HINOKO_DEMO must be one of auto, on, off');
    expect(message).toContain('HINOKO_DEMO_FLARE_AFTER must be a duration');
    expect(message).toContain('DATABASE_URL must start with postgres://');
    expect(message).toContain('HINOKO_API_TOKEN is no longer used');
    expect(message).not.toContain('hunter2');
  });

  it('refuses auth settings that contradict each other', () => {
    expect(() => loadConfig({ HINOKO_SESSION_IDLE: '8h', HINOKO_SESSION_MAX: '1h' })).toThrow(/HINOKO_SESSION_MAX/);
    expect(() => loadConfig({ HINOKO_SCRYPT_LOG_N: '10' })).toThrow(/HINOKO_SCRYPT_LOG_N/);
  });

  it('parses durations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('3m')).toBe(180_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('250')).toBe(250);
    expect(parseDuration('3 minutes')).toBeNull();
  });

  it('lets sources read no environment variable unless the operator allows the name for their organisation', () => {
    const env = {
      X_BEARER_TOKEN: 'abc',
      HINOKO_ORG_1_X: 'one',
      HINOKO_ORG_12_X: 'twelve',
      DATABASE_URL: 'postgres://u:p@h/db',
      PATH: '/usr/bin',
    };
    const closed = loadConfig({});
    expect(closed.sources.credentialEnvPatterns).toEqual([]);
    for (const name of ['X_BEARER_TOKEN', 'PATH', 'HINOKO_ORG_1_X']) expect(readCredentialEnv(closed, '1', name, env)).toBeUndefined();
    const open = loadConfig({ HINOKO_SOURCE_CREDENTIAL_ENV: 'HINOKO_ORG_{org}_*, SHARED_YOUTUBE_KEY' });
    expect(readCredentialEnv(open, '1', 'HINOKO_ORG_1_X', env)).toBe('one');
    // Org 1 never reaches org 12's names, nor org 12 org 1's.
    expect(readCredentialEnv(open, '1', 'HINOKO_ORG_12_X', env)).toBeUndefined();
    expect(readCredentialEnv(open, '12', 'HINOKO_ORG_1_X', env)).toBeUndefined();
    expect(credentialEnvAllowed(open, '5', 'SHARED_YOUTUBE_KEY')).toBe(true);
    expect(credentialEnvAllowed(open, '5', 'PATH')).toBe(false);
    // The platform's own secrets are never a source's, whatever the patterns say.
    expect(readCredentialEnv(loadConfig({ HINOKO_SOURCE_CREDENTIAL_ENV: 'DATABASE_*' }), '1', 'DATABASE_URL', env)).toBeUndefined();
    expect(() => loadConfig({ HINOKO_SOURCE_CREDENTIAL_ENV: 'ORG{org}*' })).toThrow(/HINOKO_SOURCE_CREDENTIAL_ENV/);
    expect(() => loadConfig({ HINOKO_OUTBOUND_ALLOW: '127.0.0.1,localhost' })).toThrow(/HINOKO_OUTBOUND_ALLOW.*localhost/);
  });
});
