// Reading a platform's response: the body under a cap, and the rate-limit and paging headers.
// Each platform spells its headers differently; the HTTP client (src/sources/http.ts) reads all of
// them on every response so one client works for any source.

/** Reads the body, or returns null as soon as it passes the cap (without buffering the rest). */
export async function readCappedBytes(response: Response, maxBytes: number): Promise<Buffer | null> {
  if (!response.body) return Buffer.alloc(0);
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

export async function readCapped(response: Response, maxBytes: number): Promise<string | null> {
  const bytes = await readCappedBytes(response, maxBytes);
  return bytes === null ? null : bytes.toString('utf8');
}

/**
 * When the next request may be sent, judged from one response's headers, or null if there is no
 * reason to wait. Exported for tests and for sources that want to log it.
 */
export function blockedUntilFromHeaders(headers: Headers, nowMs: number, status: number, metaPauseAtPercent = 90): number | null {
  const candidates: number[] = [];

  const retryAfter = parseRetryAfter(headers.get('retry-after'), nowMs);
  if (retryAfter !== null) candidates.push(retryAfter);

  // X: x-rate-limit-*; Mastodon: x-ratelimit-*; Bluesky and the IETF draft: ratelimit-*.
  for (const prefix of ['x-rate-limit-', 'x-ratelimit-', 'ratelimit-']) {
    const remaining = headers.get(`${prefix}remaining`);
    const reset = headers.get(`${prefix}reset`);
    if (reset === null) continue;
    const resetAt = parseResetInstant(reset, nowMs);
    if (resetAt === null) continue;
    const left = remaining === null ? null : Number(remaining);
    // Exhausted windows wait for the reset; so does a 429 that carries a reset but no count.
    // An exhausted window waits for its reset; so does any 429 that names a reset.
    if (status === 429 || (left !== null && Number.isFinite(left) && left <= 0)) candidates.push(resetAt);
  }

  const meta = metaBlockedUntil(headers, nowMs, metaPauseAtPercent);
  if (meta !== null) candidates.push(meta);

  if (candidates.length === 0) return null;
  return Math.max(...candidates);
}

/** Retry-After: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return nowMs + Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isFinite(date) ? date : null;
}

/**
 * A reset value: epoch seconds (X, Bluesky), an ISO 8601 instant (Mastodon), or — in the IETF
 * RateLimit draft — seconds from now. Small integers cannot be epoch seconds (that would be 1970),
 * so anything under 10^9 is read as a delay.
 */
export function parseResetInstant(value: string, nowMs: number): number | null {
  const trimmed = value.trim();
  if (/^\d{1,12}(\.\d+)?$/.test(trimmed)) {
    const n = Number(trimmed);
    return n >= 1e9 ? Math.round(n * 1000) : nowMs + Math.round(n * 1000);
  }
  if (trimmed.length > 64) return null;
  const date = Date.parse(trimmed);
  return Number.isFinite(date) ? date : null;
}

// Meta's usage headers (developers.facebook.com/docs/graph-api/overview/rate-limiting): X-App-Usage
// holds percentages of the app's rolling one-hour allowance; X-Business-Use-Case-Usage holds, per
// business id, a list of usages with estimated_time_to_regain_access in minutes.
const metaFullUsagePauseMs = 5 * 60_000;

function metaBlockedUntil(headers: Headers, nowMs: number, pauseAtPercent: number): number | null {
  let until: number | null = null;
  const consider = (usage: unknown) => {
    if (!usage || typeof usage !== 'object') return;
    const u = usage as Record<string, unknown>;
    const regainMinutes = Number(u.estimated_time_to_regain_access);
    if (Number.isFinite(regainMinutes) && regainMinutes > 0) {
      until = Math.max(until ?? 0, nowMs + regainMinutes * 60_000);
      return;
    }
    const peak = Math.max(
      ...['call_count', 'total_cputime', 'total_time', 'acc_id_util_pct'].map((k) => {
        const n = Number(u[k]);
        return Number.isFinite(n) ? n : 0;
      }),
    );
    // The allowance is a rolling hour, so usage falls gradually; a short pause lets it fall
    // below the threshold instead of running into code 4/17/32 errors.
    if (peak >= pauseAtPercent) until = Math.max(until ?? 0, nowMs + metaFullUsagePauseMs);
  };
  for (const name of ['x-app-usage', 'x-ad-account-usage', 'x-page-usage']) {
    const raw = headers.get(name);
    if (raw && raw.length <= 4096) consider(tryParseJson(raw));
  }
  const buc = headers.get('x-business-use-case-usage');
  if (buc && buc.length <= 16_384) {
    const parsed = tryParseJson(buc);
    if (parsed && typeof parsed === 'object') {
      for (const list of Object.values(parsed as Record<string, unknown>)) {
        if (Array.isArray(list)) for (const usage of list) consider(usage);
      }
    }
  }
  return until;
}

// ---------------------------------------------------------------------------------------------
// Paging helpers.

/** Parses an RFC 8288 Link header into rel → URL. Hostile input yields an empty map, never a throw. */
export function parseLinkHeader(value: string | null | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  if (!value || value.length > 16_384) return links;
  const pattern = /<([^>]*)>\s*((?:;\s*[^;,]+)*)/g;
  for (const match of value.matchAll(pattern)) {
    const url = match[1] ?? '';
    const params = match[2] ?? '';
    const rel = /;\s*rel\s*=\s*"?([^";,]+)"?/i.exec(params)?.[1];
    if (!rel) continue;
    for (const name of rel.trim().split(/\s+/)) {
      if (!(name.toLowerCase() in links)) links[name.toLowerCase()] = url;
    }
  }
  return links;
}

/** The rel="next" URL of a response, resolved against the request URL, or null. */
export function nextLinkUrl(headers: Headers, requestUrl: string | URL): string | null {
  const next = parseLinkHeader(headers.get('link')).next;
  if (!next) return null;
  try {
    return new URL(next, requestUrl).toString();
  } catch {
    return null;
  }
}

export function tryParseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
