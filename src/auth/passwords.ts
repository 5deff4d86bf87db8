import { randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFileSync } from 'node:fs';

// Passwords follow NIST SP 800-63B-4 §3.1.1.2: at least 15 characters when the password is the
// only factor, at least 64 allowed (we allow 128), every printable character and space allowed,
// no composition rules, Unicode normalised (NFKC) before hashing, and a blocklist check of
// common, expected and context-specific values instead of rules about digits and symbols.

export const passwordMinLength = 15;
export const passwordMaxLength = 128;

const scryptR = 8;
const scryptP = 1;
const keyLength = 32;

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

// 128·N·r bytes of memory; node's default maxmem (32 MiB) is too small from N = 2^15 up.
const memoryFor = (n: number, r: number) => 128 * n * r + 4 * 1024 * 1024;

export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` (base64url): the parameters travel with the hash, so the cost can rise later. */
export async function hashPassword(password: string, logN: number): Promise<string> {
  const salt = randomBytes(16);
  const n = 2 ** logN;
  const key = await scryptAsync(normalizePassword(password), salt, { N: n, r: scryptR, p: scryptP, maxmem: memoryFor(n, scryptR) });
  return ['scrypt', logN, scryptR, scryptP, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![logN, r, p].every((v) => Number.isInteger(v) && v > 0) || logN > 22 || r > 32 || p > 16) return false;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  const n = 2 ** logN;
  const key = await scryptAsync(normalizePassword(password), salt, { N: n, r, p, maxmem: memoryFor(n, r) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * Spends the same time as checking a real password. Called when there is no account (or it is
 * locked or disabled), so response times do not tell which e-mail addresses exist. The "hash" is
 * random bytes: verifying against it costs one scrypt with the configured parameters, like a real one.
 */
export async function dummyVerify(password: string, logN: number): Promise<false> {
  await verifyPassword(password, ['scrypt', logN, scryptR, scryptP, dummySalt, dummyKey].join('$'));
  return false;
}

const dummySalt = randomBytes(16).toString('base64url');
const dummyKey = randomBytes(keyLength).toString('base64url');

const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random 20-character password (≈ 116 bits) for bootstrap admins and resets; shown once. */
export function generatePassword(): string {
  for (;;) {
    const out = Array.from({ length: 20 }, () => alphabet[randomInt(alphabet.length)]).join('');
    if (passwordProblem(out, {}) === null) return out;
  }
}

// ---- the blocklist check -----------------------------------------------------------------------

let common: { exact: Set<string>; words: string[] } | undefined;

function commonPasswords() {
  if (!common) {
    const lines = readFileSync(new URL('./data/common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .map((l) => l.trim().toLowerCase())
      .filter((l) => l && !l.startsWith('#'));
    // Short entries ("cat", "user") would strip letters out of honest passphrases; only words of
    // four or more characters count as building blocks.
    common = { exact: new Set(lines), words: [...new Set(lines.filter((l) => [...l].length >= 4))] };
  }
  return common;
}

export interface PasswordContext {
  email?: string;
  name?: string;
  orgName?: string;
  orgSlug?: string;
}

const serviceWords = ['hinoko', '火の粉', 'ひのこ', 'ヒノコ'];

function contextWords(context: PasswordContext): string[] {
  const out = [...serviceWords];
  if (context.email) {
    const [local, domain] = context.email.toLowerCase().split('@');
    out.push(
      local ?? '',
      ...(local ?? '').split(/[._+-]+/),
      ...(domain ?? '').split('.').filter((d) => !/^(com|net|org|jp|co|ne|or|ac|go|ed|example)$/.test(d)),
    );
  }
  for (const v of [context.name, context.orgName, context.orgSlug]) {
    if (!v) continue;
    const lower = v.normalize('NFKC').toLowerCase();
    out.push(lower, lower.replace(/[\s._-]+/g, ''), ...lower.split(/[\s._-]+/));
  }
  return out.filter((w) => [...w].length >= 3);
}

const keyboardRows = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'abcdefghijklmnopqrstuvwxyz'];

/** Removes runs of 3+ characters that repeat one character or step through a sequence or keyboard row. */
function stripRuns(s: string): string {
  const chars = [...s];
  const keep: boolean[] = chars.map(() => true);
  const seqStep = (a: string, b: string): number | null => {
    const d = b.codePointAt(0)! - a.codePointAt(0)!;
    if (d === 0 || d === 1 || d === -1) return d;
    for (const row of keyboardRows) {
      const i = row.indexOf(a);
      const j = row.indexOf(b);
      if (i >= 0 && j >= 0 && Math.abs(j - i) === 1) return (j - i) * 10;
    }
    return null;
  };
  let start = 0;
  while (start < chars.length - 1) {
    const step = seqStep(chars[start]!, chars[start + 1]!);
    let end = start + 1;
    while (step !== null && end + 1 < chars.length && seqStep(chars[end]!, chars[end + 1]!) === step) end++;
    if (step !== null && end - start + 1 >= 3) {
      for (let k = start; k <= end; k++) keep[k] = false;
      start = end + 1;
    } else start++;
  }
  return chars.filter((_, i) => keep[i]).join('');
}

/** "abcabcabc…", "Summer!Summer!…": a unit repeated to make up the length. */
function isRepetition(s: string): boolean {
  const chars = [...s];
  for (let unit = 1; unit * 2 <= chars.length; unit++) {
    const head = chars.slice(0, unit);
    if (chars.every((ch, i) => ch === head[i % unit])) return true;
  }
  return false;
}

/** Characters that must be left after the predictable parts are taken out. */
const minUnpredictableChars = 8;

/**
 * Why a password is refused, in Japanese with English, or null when it is acceptable. The rules
 * are length and predictability only; the message never echoes the password.
 */
export function passwordProblem(password: string, context: PasswordContext): string | null {
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < passwordMinLength)
    return `パスワードは${passwordMinLength}文字以上にしてください (at least ${passwordMinLength} characters)`;
  if (length > passwordMaxLength) return `パスワードは${passwordMaxLength}文字以内にしてください (at most ${passwordMaxLength} characters)`;
  if (/\p{Cc}/u.test(normalized)) return 'パスワードに制御文字は使えません (no control characters)';
  const lower = normalized.toLowerCase();
  const compact = lower.replace(/[\s\p{P}\p{S}]+/gu, '');
  const { exact, words } = commonPasswords();
  if (exact.has(lower) || exact.has(compact))
    return 'よく使われるパスワードです。別のものにしてください (this is a commonly used password)';
  if (isRepetition(compact) || new Set(compact).size < 5) return '同じ文字や語の繰り返しは使えません (too repetitive)';
  let rest = compact;
  const blocks = [...contextWords(context), ...words].sort((a, b) => b.length - a.length);
  for (const w of blocks) {
    if (rest.includes(w)) rest = rest.split(w).join('');
  }
  // Four or more digits in a row are years, dates and PINs.
  rest = stripRuns(rest).replace(/\d{4,}/g, '');
  if ([...rest].length < minUnpredictableChars) {
    return '推測されやすいパスワードです (サービス名・氏名・メールアドレス・組織名・よく使われる語・連続した文字や数字の組み合わせ)。長い文や無関係な語の組み合わせにしてください (too predictable: built from the service name, your name, e-mail or organization, common words, or sequences)';
  }
  return null;
}
