import { describe, expect, it } from 'vitest';
import { exportForChannel } from '../../../src/post-review/channel-export.ts';

describe('an approved post in its channel’s format', () => {
  it('is the request body of each channel’s publishing API, in NFC, with the images’ alt text in order', () => {
    const decomposed = 'カ\u3099ーゼ'; // ガーゼ with a combining mark
    expect(exportForChannel('x', decomposed, [{ alt: '受付', description: '受付の写真' }, {}])).toEqual({
      channel: 'x',
      endpoint: 'POST https://api.x.com/2/tweets',
      body: { text: 'ガーゼ' },
      altTexts: ['受付', ''],
    });
    expect(exportForChannel('line', '休診のお知らせ', []).body).toEqual({ messages: [{ type: 'text', text: '休診のお知らせ' }] });
    expect(exportForChannel('facebook', 'a', []).body).toEqual({ message: 'a' });
    expect(exportForChannel('google_review_reply', 'ありがとうございます', []).body).toEqual({ comment: 'ありがとうございます' });
  });

  it('writes a blog post as escaped paragraphs', () => {
    const { body } = exportForChannel('blog', '休診のお知らせ\n12月29日から<b>休診</b>\n\n\n詳しくは受付へ & お電話で', []);
    expect(body).toEqual({ html: '<p>休診のお知らせ<br>\n12月29日から&lt;b&gt;休診&lt;/b&gt;</p>\n<p>詳しくは受付へ &amp; お電話で</p>' });
  });
});
