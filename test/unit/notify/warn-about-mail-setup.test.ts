import { expect, it } from 'vitest';
import { warnAboutMailSetup } from '../../../src/notify/warn-about-mail-setup.ts';
import { loadConfig } from '../../../src/config.ts';

function warnings(env: Record<string, string>): string[] {
  const said: string[] = [];
  warnAboutMailSetup(loadConfig(env), { warn: (_fields: unknown, message: string) => said.push(message) } as never);
  return said;
}

it('warns at start-up when SMTP is set and From: is at localhost or a dotless name, in Japanese then English', () => {
  const smtp = { SMTP_URL: 'smtp://mail.example.jp:587' };
  // The default From: is hinoko@localhost.
  const [message] = warnings(smtp);
  expect(message).toMatch(
    /^HINOKO_MAIL_FROM のドメイン \(localhost\) は実在するドメインではありません。.*Message-ID.*\(the From: domain "localhost" is not a real domain: Message-IDs, replies/,
  );
  expect(warnings({ ...smtp, HINOKO_MAIL_FROM: '火の粉 <alerts@LocalHost>' })).toHaveLength(1);
  expect(warnings({ ...smtp, HINOKO_MAIL_FROM: 'alerts@mailhost' })).toHaveLength(1);
});

it('stays quiet with a real domain, or without SMTP (previews never leave the machine)', () => {
  expect(warnings({ SMTP_URL: 'smtp://mail.example.jp:587', HINOKO_MAIL_FROM: '火の粉 <alerts@clinic.example.jp>' })).toEqual([]);
  expect(warnings({ SMTP_URL: 'smtp://mail.example.jp:587', HINOKO_MAIL_FROM: 'alerts@clinic.example.jp' })).toEqual([]);
  expect(warnings({})).toEqual([]);
});
