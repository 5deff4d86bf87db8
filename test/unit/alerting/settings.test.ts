import { describe, expect, it } from 'vitest';
import { alertingSettingsOf, normalizeEmailAddress, parseAlertingPatch } from '../../../src/alerting/settings.ts';
import { dedupeKeyFor, messageIdFor, shouldMail } from '../../../src/alerting/enqueue-alert-mails.ts';
import { ValidationError } from '../../../src/errors.ts';

describe('alerting settings', () => {
  it('accepts plain addresses only', () => {
    expect(normalizeEmailAddress('PR.Team+alerts@Clinic.Example.JP')).toBe('PR.Team+alerts@clinic.example.jp');
    for (const bad of ['a@b', 'no-at', 'a@@b.jp', 'a@b.jp\r\nBcc: x@y.jp', 'a@b.jp,c@d.jp', 'Name <a@b.jp>', ' a@b.jp', '"q"@b.jp', 'a@-b.jp', `${'a'.repeat(65)}@b.jp`, 'a..b@c.jp']) {
      expect(normalizeEmailAddress(bad), bad).toBeNull();
    }
  });

  it('validates a patch strictly and dedupes recipients', () => {
    expect(parseAlertingPatch({ recipients: ['a@b.jp', 'A@B.JP', 'c@d.jp'], minSeverity: 4, notices: true }))
      .toEqual({ recipients: ['a@b.jp', 'c@d.jp'], minSeverity: 4, notices: true });
    expect(parseAlertingPatch({ minSeverity: 1 })).toEqual({ minSeverity: 1 });
    for (const bad of [{}, [], null, { recipients: 'a@b.jp' }, { recipients: ['x'] }, { recipients: [1] }, { minSeverity: 0 }, { minSeverity: 3.5 },
      { minSeverity: '3' }, { notices: 'yes' }, { other: 1 }, { recipients: Array.from({ length: 21 }, (_, i) => `u${i}@b.jp`) }]) {
      expect(() => parseAlertingPatch(bad), JSON.stringify(bad)).toThrow(ValidationError);
    }
  });

  it('reads stored settings defensively', () => {
    expect(alertingSettingsOf({})).toEqual({ recipients: [], minSeverity: 3, notices: false });
    expect(alertingSettingsOf({ alerting: { recipients: ['ok@b.jp', 'bad\r\n@x', 5], minSeverity: 9, notices: 'yes' } }))
      .toEqual({ recipients: ['ok@b.jp'], minSeverity: 3, notices: false });
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
    expect(messageIdFor('1', key, '火の粉 <alerts@clinic.example.jp>')).toMatch(/^<alert\.[0-9a-f]{32}@clinic\.example\.jp>$/);
    expect(messageIdFor('1', key, 'x@y.jp')).toBe(messageIdFor('1', key, 'x@y.jp'));
    expect(messageIdFor('2', key, 'x@y.jp')).not.toBe(messageIdFor('1', key, 'x@y.jp'));
  });
});
