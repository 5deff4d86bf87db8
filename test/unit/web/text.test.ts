import { describe, expect, it } from 'vitest';
import { displayText } from '../../../src/display.ts';
import { durationJa, sinceJa } from '../../../src/web/time.ts';

describe('what pages show', () => {
  it('durations as people say them', () => {
    expect(durationJa(30_000)).toBe('1分未満');
    expect(durationJa(42 * 60_000)).toBe('42分');
    expect(durationJa(3 * 3_600_000)).toBe('3時間');
    expect(durationJa(3 * 3_600_000 + 5 * 60_000)).toBe('3時間5分');
    expect(durationJa(2 * 86_400_000)).toBe('2日');
    expect(durationJa(2 * 86_400_000 + 4 * 3_600_000 + 59 * 60_000)).toBe('2日4時間');
    expect(durationJa(-5_000)).toBe('1分未満');
    expect(sinceJa(new Date('2026-12-04T00:00:00Z'), new Date('2026-12-04T01:30:00Z'))).toBe('1時間30分');
  });

  it('strangers’ text without direction overrides or hidden characters, joiners kept', () => {
    expect(displayText('請求書\u202Etxt.exe\u202C')).toBe('請求書txt.exe');
    expect(displayText('\u2066隠\u2069れ\u200Bた\u2060文字\uFEFF')).toBe('隠れた文字');
    expect(displayText('👨\u200D👩\u200D👧')).toBe('👨\u200D👩\u200D👧');
    expect(displayText('<script>')).toBe('<script>');
  });
});
