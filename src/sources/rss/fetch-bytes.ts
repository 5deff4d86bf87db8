// The shared HTTP client hands back bodies decoded as UTF-8. Older Japanese sites still serve
// feeds in Shift_JIS or EUC-JP; for those the collector re-reads the bytes here (one attempt,
// same timeout and size cap — the retrying request just succeeded) and decodes them itself.

import { TextDecoder } from 'node:util';
import { OutboundRefusedError } from '../../outbound/guarded-fetch.ts';
import { readCappedBytes } from '../http-response.ts';
import { SourceResponseError } from '../http-errors.ts';
import type { SourceRuntime } from '../types.ts';

/** A TextDecoder for a charset label, or null when the label is unknown. */
export function decoderFor(charset: string): TextDecoder | null {
  const label = charset.trim().toLowerCase() === 'cp932' ? 'shift_jis' : charset.trim().toLowerCase();
  try {
    return new TextDecoder(label);
  } catch {
    return null;
  }
}

/** The charset from a Content-Type header or an XML declaration, lower-cased, or null. */
export function declaredCharset(contentType: string | null, head: string): string | null {
  const fromHeader = contentType === null ? null : /;\s*charset\s*=\s*"?([A-Za-z0-9._-]{1,40})"?/i.exec(contentType)?.[1];
  const fromXml = /^\uFEFF?<\?xml[^>]*\sencoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']/.exec(head)?.[1];
  // The XML declaration is written by whoever wrote the feed; servers often label every file
  // utf-8 by default. When they disagree, trust the document.
  return (fromXml ?? fromHeader ?? null)?.toLowerCase() ?? null;
}

export function isUtf8(charset: string | null): boolean {
  return charset === null || charset === 'utf-8' || charset === 'utf8' || charset === 'us-ascii';
}

export async function fetchBytes(
  runtime: SourceRuntime,
  url: string,
  options: { timeoutMs: number; maxBytes: number; accept: string },
): Promise<Buffer> {
  const signal = AbortSignal.any([runtime.signal, AbortSignal.timeout(options.timeoutMs)]);
  let response: Response;
  try {
    response = await runtime.fetch(url, { headers: { accept: options.accept }, signal });
  } catch (error) {
    if (error instanceof OutboundRefusedError || (error as { cause?: unknown })?.cause instanceof OutboundRefusedError) throw error;
    // Same words for every failure (see describeNetworkError in ../http.ts).
    throw new SourceResponseError(`rss: フィードを再取得できません (re-reading the feed failed: could not connect) ${url}`);
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => {});
    throw new SourceResponseError(
      `rss: フィードの再取得が HTTP ${response.status} でした (re-read answered HTTP ${response.status}) ${url}`,
    );
  }
  const bytes = await readCappedBytes(response, options.maxBytes);
  if (bytes === null) throw new SourceResponseError(`rss: 応答が大きすぎます (response body over ${options.maxBytes} bytes) ${url}`);
  return bytes;
}
