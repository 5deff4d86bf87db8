import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { CredentialUnreadableError, openCredential, sealCredential } from '../../../src/secrets/credential-box.ts';
import { deriveServerKeys, ephemeralServerKeys, loadServerKeys, serverSecretFileName } from '../../../src/secrets/server-keys.ts';

describe('the server secret', () => {
  it('is generated once in the data directory, readable by the owner only, and gives the same keys after a restart', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hinoko-keys-'));
    const config = loadConfig({ HINOKO_DATA_DIR: dir });
    const first = loadServerKeys(config);
    const file = path.join(dir, serverSecretFileName);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = loadServerKeys(config);
    expect(again.credentials.equals(first.credentials)).toBe(true);
    expect(again.fingerprint).toBe(first.fingerprint);
    // One key per purpose: none can be turned into another.
    const all = [first.credentials, first.auditCheckpoints, first.ackLinks].map((k) => k.toString('hex'));
    expect(new Set(all).size).toBe(3);
    // The fingerprint is not a key.
    expect(all.some((k) => k.includes(first.fingerprint))).toBe(false);
  });

  it('HINOKO_SECRET wins and writes no file; a damaged file stops the start with a clear message', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hinoko-keys-'));
    const keys = loadServerKeys(loadConfig({ HINOKO_DATA_DIR: dir, HINOKO_SECRET: 's'.repeat(40) }));
    expect(existsSync(path.join(dir, serverSecretFileName))).toBe(false);
    expect(keys.credentials.equals(deriveServerKeys(Buffer.from('s'.repeat(40)), 'x').credentials)).toBe(true);
    writeFileSync(path.join(dir, serverSecretFileName), 'not hex\n');
    expect(() => loadServerKeys(loadConfig({ HINOKO_DATA_DIR: dir }))).toThrow(/server secret/);
    expect(readFileSync(path.join(dir, serverSecretFileName), 'utf8')).toBe('not hex\n');
  });
});

describe('sealed credentials', () => {
  const at = { orgId: '1', sourceId: '2', name: 'bearerToken' };

  it('open only with the same key, for the same organisation, source and slot', () => {
    const keys = ephemeralServerKeys();
    const box = sealCredential(keys.credentials, at, 'AAAA-token');
    expect(openCredential(keys.credentials, at, box)).toBe('AAAA-token');
    // A fresh nonce each time: the same value never seals to the same bytes.
    expect(sealCredential(keys.credentials, at, 'AAAA-token').sealed.equals(box.sealed)).toBe(false);
    for (const moved of [
      { ...at, orgId: '9' },
      { ...at, sourceId: '3' },
      { ...at, name: 'apiKey' },
    ]) {
      expect(() => openCredential(keys.credentials, moved, box)).toThrow(CredentialUnreadableError);
    }
    const flipped = Buffer.from(box.sealed);
    flipped[flipped.length - 1]! ^= 1;
    expect(() => openCredential(keys.credentials, at, { ...box, sealed: flipped })).toThrow(/altered or moved/);
    expect(() => openCredential(ephemeralServerKeys().credentials, at, box)).toThrow(/another server secret/);
  });
});
