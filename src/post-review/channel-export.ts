import { escapeHtml } from '../display.ts';
import type { Channel } from './channels.ts';
import type { PostImage } from './check-post.ts';

// An approved post as its channel takes it: the request body of the channel's publishing API, so
// the clinic's staff (or their own script) post exactly the approved text. Hinoko never posts for
// the clinic. Images are not stored (only what reviewers read about them), so their alt text is
// given for the person attaching them.

export interface ChannelExport {
  channel: Channel;
  /** Where the body goes, as the platform documents it. */
  endpoint: string;
  body: Record<string, unknown>;
  /** Alt text per image, in order, for whoever attaches the images. */
  altTexts: string[];
}

/** The blog's HTML: paragraphs at blank lines, <br> at single line breaks, everything escaped. */
function blogHtml(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>\n')}</p>`)
    .join('\n');
}

export function exportForChannel(channel: Channel, text: string, images: readonly PostImage[]): ChannelExport {
  // NFC: X counts and stores NFC, and a decomposed が would count (and look) different elsewhere.
  const t = text.normalize('NFC');
  const altTexts = images.map((i) => (i.alt ?? '').normalize('NFC'));
  switch (channel) {
    case 'x':
      return { channel, endpoint: 'POST https://api.x.com/2/tweets', body: { text: t }, altTexts };
    case 'instagram':
      return { channel, endpoint: 'POST https://graph.facebook.com/{ig-user-id}/media', body: { caption: t }, altTexts };
    case 'facebook':
      return { channel, endpoint: 'POST https://graph.facebook.com/{page-id}/feed', body: { message: t }, altTexts };
    case 'line':
      return {
        channel,
        endpoint: 'POST https://api.line.me/v2/bot/message/broadcast',
        body: { messages: [{ type: 'text', text: t }] },
        altTexts,
      };
    case 'google_review_reply':
      return { channel, endpoint: 'PUT https://mybusiness.googleapis.com/v4/{reviewName}/reply', body: { comment: t }, altTexts };
    case 'blog':
      return { channel, endpoint: 'HTML', body: { html: blogHtml(t) }, altTexts };
  }
}
