import { describe, expect, it } from 'vitest';
import { displayText } from '../../../src/display.ts';
import { sinceJa } from '../../../src/web/time.ts';

describe('what pages show', () => {
  it('time since, as people say it', () => {
    expect(sinceJa(new Date('2026-12-04T00:00:00Z'), new Date('2026-12-04T00:42:17Z'))).toBe('42分');
    expect(sinceJa(new Date('2026-12-04T01:00:00Z'), new Date('2026-12-04T00:00:00Z'))).toBe('0秒');
    expect(sinceJa(new Date('2026-12-04T00:00:00Z'), new Date('2026-12-04T01:30:00Z'))).toBe('1時間30分');
  });

  it('strangers’ text without direction overrides or hidden characters, joiners kept', () => {
    expect(displayText('請求書\u202Etxt.exe\u202C')).toBe('請求書txt.exe');
    expect(displayText('\u2066隠\u2069れ\u200Bた\u2060文字\uFEFF')).toBe('隠れた文字');
    expect(displayText('👨\u200D👩\u200D👧')).toBe('👨\u200D👩\u200D👧');
    expect(displayText('<script>')).toBe('<script>');
  });
});
