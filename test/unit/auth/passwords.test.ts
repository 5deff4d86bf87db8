import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from '../../../src/auth/passwords.ts';

const context = { email: 'tanaka.hanako@sakura-clinic.example.jp', name: 'Tanaka Hanako', orgName: 'さくら内科', orgSlug: 'sakura-naika' };

describe('password rules (NIST SP 800-63B-4)', () => {
  it('wants at least 15 characters, counted after NFKC, and allows up to 128', () => {
    expect(passwordProblem('blue-mango-cano', context)).toBeNull(); // 15
    expect(passwordProblem('blue-mango-can', context)).toMatch(/15/);
    // Full-width letters normalise to ASCII: same length, same password.
    expect(passwordProblem('ｂｌｕｅ－ｍａｎｇｏ－ｃａｎｏ', context)).toBeNull();
    expect(passwordProblem('雨の日は図書館で静かに本を読む', context)).toBeNull();
    const long = Array.from({ length: 7 }, generatePassword).join(''); // 140 random characters
    expect(passwordProblem(long.slice(0, 128), context)).toBeNull();
    expect(passwordProblem(long.slice(0, 129), context)).toMatch(/128/);
  });

  it('has no composition rules: lower-case words and spaces are fine', () => {
    expect(passwordProblem('purple elephants dance quietly', context)).toBeNull();
  });

  it('refuses common passwords from the shipped list, also with symbols or spacing added', () => {
    expect(passwordProblem('passwordpassword', context)).toMatch(/commonly used/);
    expect(passwordProblem('correct horse battery staple', context)).toMatch(/commonly used/);
    expect(passwordProblem('iloveyou12345678', context)).toMatch(/predictable/);
    expect(passwordProblem('Password2026!!!!', context)).toMatch(/commonly used|predictable/);
  });

  it('refuses repetitive and sequential strings', () => {
    expect(passwordProblem('aaaaaaaaaaaaaaaa', context)).toMatch(/repetitive/);
    expect(passwordProblem('abcabcabcabcabcabc', context)).toMatch(/repetitive/);
    expect(passwordProblem('abcdefghijklmnopq', context)).toMatch(/predictable|commonly/);
    expect(passwordProblem('qwertyuiop1234567', context)).toMatch(/predictable/);
    expect(passwordProblem('9876543210zyxwvut', context)).toMatch(/predictable/);
  });

  it('refuses passwords made of the context: service name, e-mail, name, organization', () => {
    expect(passwordProblem('hinoko-hinoko-2026!', context)).toMatch(/predictable|repetitive/);
    expect(passwordProblem('tanaka.hanako.sakura', context)).toMatch(/predictable/);
    expect(passwordProblem('さくら内科 さくら内科 2026', context)).toMatch(/predictable/);
    // The same words are fine for someone they do not describe, when enough else is there.
    expect(passwordProblem('tanaka.hanako.sakura', {})).toBeNull();
  });

  it('generated passwords pass the rules and differ', () => {
    const a = generatePassword();
    expect(a).toHaveLength(20);
    expect(passwordProblem(a, context)).toBeNull();
    expect(generatePassword()).not.toBe(a);
  });
});

describe('scrypt', () => {
  it('verifies the right password, refuses others, and keeps its parameters with the hash', async () => {
    const hash = await hashPassword('雨の日は図書館で静かに本を読む', 14);
    expect(hash).toMatch(/^scrypt\$14\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword('雨の日は図書館で静かに本を読む', hash)).toBe(true);
    expect(await verifyPassword('雨の日は図書館で静かに本を読んだ', hash)).toBe(false);
    // NFKC: the full-width and half-width spellings are one password.
    const ascii = await hashPassword('blue-mango-canoe', 14);
    expect(await verifyPassword('ｂｌｕｅ－ｍａｎｇｏ－ｃａｎｏｅ', ascii)).toBe(true);
    // Salted: the same password hashes differently.
    expect(await hashPassword('blue-mango-canoe', 14)).not.toBe(ascii);
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$40$8$1$AAAA$AAAA')).toBe(false);
  });
});
