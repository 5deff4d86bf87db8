import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { newNonce, signAckToken, verifyAckToken } from '../../../src/notify/ack-token.ts';

const key = randomBytes(32);
const claims = { orgId: '7', incidentId: '42', nonce: newNonce(), expiresAt: new Date('2026-11-26T00:00:00Z') };

it('verifies its own token until it expires', () => {
  const token = signAckToken(key, claims);
  expect(verifyAckToken(key, token, new Date('2026-11-25T23:59:59Z'))).toEqual({ ok: true, claims });
  expect(verifyAckToken(key, token, claims.expiresAt)).toEqual({ ok: false, reason: 'expired' });
});

it('refuses another key, an edited payload (a later expiry, another incident), a cut signature and junk as forged', () => {
  const token = signAckToken(key, claims);
  const at = new Date('2026-11-25T00:00:00Z');
  expect(verifyAckToken(randomBytes(32), token, at)).toEqual({ ok: false, reason: 'forged' });
  const [, , mac] = token.split('.');
  const edited = Buffer.from(JSON.stringify({ o: '7', i: '43', n: claims.nonce, e: claims.expiresAt.getTime() })).toString('base64url');
  expect(verifyAckToken(key, `v1.${edited}.${mac}`, at)).toEqual({ ok: false, reason: 'forged' });
  const later = Buffer.from(JSON.stringify({ o: '7', i: '42', n: claims.nonce, e: claims.expiresAt.getTime() + 1e9 })).toString(
    'base64url',
  );
  expect(verifyAckToken(key, `v1.${later}.${mac}`, at)).toEqual({ ok: false, reason: 'forged' });
  expect(verifyAckToken(key, token.slice(0, -1), at)).toEqual({ ok: false, reason: 'forged' });
  for (const junk of ['', 'v1..', 'v2.abc.def', `v1.${'A'.repeat(500)}.${mac}`]) expect(verifyAckToken(key, junk, at).ok).toBe(false);
});
