import { createHmac, timingSafeEqual } from 'node:crypto';

// x-line-signature = base64(HMAC-SHA256(channel secret, raw request body)) — LINE Messaging API,
// "Verifying signatures". Computed over the exact bytes received, compared in constant time.

export function lineSignature(channelSecret: string, rawBody: Buffer): string {
  return createHmac('sha256', channelSecret).update(rawBody).digest('base64');
}

export function verifyLineSignature(channelSecret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (typeof header !== 'string' || header.length === 0 || header.length > 128) return false;
  // Compared as canonical base64 text, not decoded bytes: a lenient decoder ignores the padding
  // bits of the last character, which would let non-canonical spellings of a signature through.
  const expected = Buffer.from(lineSignature(channelSecret, rawBody), 'utf8');
  const given = Buffer.from(header.trim(), 'utf8');
  // timingSafeEqual throws on a length mismatch; a wrong length is simply a bad signature.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
