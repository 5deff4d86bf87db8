import { expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { ConfigError } from '../../../src/errors.ts';

it('mail settings: defaults to previews, validates SMTP_URL without echoing it, refuses header injection in From', () => {
  const defaults = loadConfig({ HOST: '0.0.0.0', PORT: '9000' }).mail;
  expect(defaults).toMatchObject({
    smtpUrl: null,
    from: '火の粉 Hinoko <hinoko@localhost>',
    publicUrl: 'http://0.0.0.0:9000',
    maxAttempts: 20,
    pollMs: 5000,
  });

  const set = loadConfig({
    SMTP_URL: 'smtps://user:p%40ss@mail.example.jp:465',
    HINOKO_MAIL_FROM: '火の粉 <alerts@clinic.example.jp>',
    HINOKO_PUBLIC_URL: 'https://hinoko.example.jp/',
    HINOKO_MAIL_MAX_ATTEMPTS: '5',
    HINOKO_MAIL_POLL: '2s',
  }).mail;
  expect(set).toEqual({
    smtpUrl: 'smtps://user:p%40ss@mail.example.jp:465',
    from: '火の粉 <alerts@clinic.example.jp>',
    publicUrl: 'https://hinoko.example.jp',
    maxAttempts: 5,
    pollMs: 2000,
  });

  const secret = 'http://user:supersecret@mail.example.jp';
  expect(() => loadConfig({ SMTP_URL: secret })).toThrow(/SMTP_URL must start with smtp:\/\//);
  try {
    loadConfig({ SMTP_URL: 'smtp://user:supersecret@[bad' });
    expect.unreachable();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('SMTP_URL is not a valid URL');
    expect((err as Error).message).not.toContain('supersecret');
  }
  for (const from of ['a@b.jp\r\nBcc: x@y.jp', 'Name <a@b.jp', 'a@b.jp>', '<>', 'Name\n <a@b.jp>']) {
    expect(() => loadConfig({ HINOKO_MAIL_FROM: from }), JSON.stringify(from)).toThrow(/HINOKO_MAIL_FROM/);
  }
  expect(() => loadConfig({ HINOKO_PUBLIC_URL: 'javascript:alert(1)' })).toThrow(/HINOKO_PUBLIC_URL/);
  expect(() => loadConfig({ HINOKO_PUBLIC_URL: 'https://u:p@x.jp' })).toThrow(/HINOKO_PUBLIC_URL/);
  expect(() => loadConfig({ HINOKO_MAIL_POLL: '10ms' })).toThrow(/HINOKO_MAIL_POLL/);
});
