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
