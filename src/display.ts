// How stored values are shown to people: times are stored in UTC and read in Asia/Tokyo, and text
// written by strangers is escaped before it goes into any HTML (pages, e-mail, print exports).

/** Japan keeps one offset all year (no daylight saving), so a JST calendar is UTC shifted by 9 h. */
export const JST_OFFSET_MS = 9 * 3_600_000;

/** '2026-11-25': the calendar day the instant falls on in Japan. */
export function jstCalendarDay(d: Date): string {
  return new Date(d.getTime() + JST_OFFSET_MS).toISOString().slice(0, 10);
}

const jstDateTime = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
const jstTime = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit', hour12: false });

/** 2026/11/20 10:05 — where the page already says the times are JST. */
export function formatJstDateTime(d: Date): string {
  return Number.isNaN(d.getTime()) ? '不明' : jstDateTime.format(d);
}

/** 2026/11/20 10:05 (JST) — standing alone (mail, exports, confirm pages). */
export function formatJst(d: Date): string {
  return Number.isNaN(d.getTime()) ? '不明' : `${jstDateTime.format(d)} (JST)`;
}

/** 10:05 */
export function formatJstTime(d: Date): string {
  return jstTime.format(d);
}

/** A time window: 2026/11/20 10:05〜10:10 (JST). */
export function formatJstWindow(start: Date, lengthMs: number | null): string {
  if (Number.isNaN(start.getTime()) || !lengthMs || lengthMs <= 0) return formatJst(start);
  return `${jstDateTime.format(start)}〜${jstTime.format(new Date(start.getTime() + lengthMs))} (JST)`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

// Direction overrides and isolates (U+202A–202E, U+2066–2069) and invisible characters (zero-width
// space, word joiner, BOM) let a stranger make "txt.exe" read as "exe.txt" or hide words from a
// reader. Escaping does not stop them: they are removed wherever untrusted text is shown (the
// stored text keeps them as evidence). Joiners (U+200C/D) stay: emoji and some scripts need them.
const invisibleControls = /[\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]/g;

/** Text written by strangers or admins, as it is safe to show: no direction tricks, no hidden characters. */
export function displayText(s: string): string {
  return s.replace(invisibleControls, '');
}

/**
 * JSON text that can sit inside HTML (an answer sniffed as markup, a <script type="application/json">):
 * <, >, & and the JS line separators written as \u escapes, which JSON reads back as the same text.
 */
export function escapeJsonForHtml(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A link a stranger supplied, as it may be put in an href: http(s) only (javascript:, data: and
 * anything unparseable are dropped), and not absurdly long.
 */
export function httpLink(v: unknown): string | null {
  if (typeof v !== 'string' || v.length > 2000) return null;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}
