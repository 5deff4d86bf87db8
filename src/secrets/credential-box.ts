import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { keyId } from './server-keys.ts';

// Sealing one credential: AES-256-GCM with a random 96-bit nonce (NIST SP 800-38D's recommended
// size; a fresh nonce per seal, and a few thousand seals per key are far below the 2^32 bound).
// The associated data names the organisation, source and slot, so the database cannot move a
// sealed value to another tenant's source: it would fail authentication there.

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface SealedCredential {
  sealed: Buffer;
  keyId: string;
}

export interface CredentialAddress {
  orgId: string;
  sourceId: string;
  name: string;
}

function associatedData(at: CredentialAddress): Buffer {
  return Buffer.from(`hinoko/source-credential/v1\n${at.orgId}\n${at.sourceId}\n${at.name}`, 'utf8');
}

export function sealCredential(key: Buffer, at: CredentialAddress, value: string): SealedCredential {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(at));
  const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return { sealed: Buffer.concat([nonce, cipher.getAuthTag(), body]), keyId: keyId(key) };
}

export class CredentialUnreadableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialUnreadableError';
  }
}

export function openCredential(key: Buffer, at: CredentialAddress, stored: SealedCredential): string {
  if (stored.keyId !== keyId(key)) {
    throw new CredentialUnreadableError(
      `資格情報 ${at.name} は別のサーバー秘密鍵で暗号化されています。再入力してください (credential ${at.name} was sealed under another server secret: enter it again)`,
    );
  }
  const nonce = stored.sealed.subarray(0, NONCE_BYTES);
  const tag = stored.sealed.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES);
  const body = stored.sealed.subarray(NONCE_BYTES + TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(at));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    throw new CredentialUnreadableError(
      `資格情報 ${at.name} を復号できません。再入力してください (credential ${at.name} does not authenticate: it was altered or moved; enter it again)`,
    );
  }
}
