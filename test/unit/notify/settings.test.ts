import { describe, expect, it } from 'vitest';
import { alertingSettingsOf, normalizeEmailAddress } from '../../../src/notify/recipients.ts';
import { AlertingPatch } from '../../../src/notify/routes.ts';
import { dedupeKeyFor, shouldMail } from '../../../src/notify/enqueue-alert-mails.ts';
import { messageIdFor } from '../../../src/notify/outbox-identity.ts';

describe('alerting settings', () => {
  it('accepts plain addresses only', () => {
    expect(normalizeEmailAddress('PR.Team+alerts@Clinic.Example.JP')).toBe('PR.Team+alerts@clinic.example.jp');
    for (const bad of [
      'a@b',
      'no-at',
      'a@@b.jp',
      'a@b.jp\r\nBcc: x@y.jp',
      'a@b.jp,c@d.jp',
      'Name <a@b.jp>',
      ' a@b.jp',
      '"q"@b.jp',
      'a@-b.jp',
      `${'a'.repeat(65)}@b.jp`,
      'a..b@c.jp',
    ]) {
      expect(normalizeEmailAddress(bad), bad).toBeNull();
    }
  });

  it('validates a patch strictly and dedupes recipients', () => {
    expect(AlertingPatch.parse({ recipients: ['a@b.jp', 'A@B.JP', 'c@d.jp'], minSeverity: 4, notices: true })).toEqual({
      recipients: ['a@b.jp', 'c@d.jp'],
      minSeverity: 4,
      notices: true,
    });
    expect(AlertingPatch.parse({ minSeverity: 1 })).toEqual({ minSeverity: 1 });
    for (const bad of [
      {},
      [],
      null,
      { recipients: 'a@b.jp' },
      { recipients: ['x'] },
      { recipients: [1] },
      { minSeverity: 0 },
      { minSeverity: 3.5 },
      { minSeverity: '3' },
      { notices: 'yes' },
      { other: 1 },
      { recipients: Array.from({ length: 21 }, (_, i) => `u${i}@b.jp`) },
    ]) {
      expect(AlertingPatch.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('reads stored settings defensively', () => {
    expect(alertingSettingsOf({})).toEqual({ recipients: [], minSeverity: 3, notices: false });
    expect(alertingSettingsOf({ alerting: { recipients: ['ok@b.jp', 'bad\r\n@x', 5], minSeverity: 9, notices: 'yes' } })).toEqual({
      recipients: ['ok@b.jp'],
      minSeverity: 3,
      notices: false,
    });
  });

  it('mails crises at or above the threshold, notices only when opted in, nothing without recipients', () => {
    const s = { recipients: ['a@b.jp'], minSeverity: 3 as const, notices: false };
    expect(shouldMail({ kind: 'crisis', severity: 3 }, s)).toBe(true);
    expect(shouldMail({ kind: 'crisis', severity: 2 }, s)).toBe(false);
    expect(shouldMail({ kind: 'notice', severity: 5 }, s)).toBe(false);
    expect(shouldMail({ kind: 'notice', severity: 1 }, { ...s, notices: true })).toBe(true);
    expect(shouldMail({ kind: 'crisis', severity: 5 }, { ...s, recipients: [] })).toBe(false);
  });

  it('derives a stable dedupe key and Message-ID', () => {
    const event = { alertId: '9', action: 'open', severity: 4, at: new Date('2026-11-20T01:05:00Z') };
    const key = dedupeKeyFor(event, 'A@b.jp');
    expect(key).toBe(dedupeKeyFor({ ...event }, 'a@b.jp'));
    expect(key).not.toBe(dedupeKeyFor({ ...event, severity: 5 }, 'a@b.jp'));
    const inst = 'b5c1d7e2-0f4a-4c8e-9a51-3e0d2f6b7a18';
    expect(messageIdFor(inst, '1', key, '火の粉 <alerts@clinic.example.jp>')).toMatch(/^<alert\.[0-9a-f]{32}@clinic\.example\.jp>$/);
    expect(messageIdFor(inst, '1', key, 'x@y.jp')).toBe(messageIdFor(inst, '1', key, 'x@y.jp'));
    expect(messageIdFor(inst, '2', key, 'x@y.jp')).not.toBe(messageIdFor(inst, '1', key, 'x@y.jp'));
  });

  it('Message-IDs differ between installations for the same org, dedupe key and From: (issue 12 item 8)', () => {
    // Four fresh databases, each with its org 1 and its first incident 1, the default From: domain.
    const key = 'page:1:r1:l1:to:oncall@clinic.example.jp';
    const from = '火の粉 Hinoko <hinoko@localhost>';
    const ids = [
      '8d1f0b6e-5c4e-4f1e-9a2b-0c7d3e9f1a01',
      '2e7a9c41-0b3d-4a6f-8e15-6d2c9f0b7e32',
      'f0c3b8d2-7e1a-4c59-b6d4-1a8e2f3c9d43',
      '5a9e1d7c-3f2b-4e8a-a0c6-9b4d7e1f2c54',
    ].map((installationId) => messageIdFor(installationId, '1', key, from));
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^<alert\.[0-9a-f]{32}@localhost>$/);
  });
});
