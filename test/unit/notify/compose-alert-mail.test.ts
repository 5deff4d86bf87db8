import { describe, expect, it } from 'vitest';
import { alertSubject, composeAlertMail, headerSafe, type AlertMailInput } from '../../../src/notify/compose-alert-mail.ts';
import { escapeHtml, formatJst } from '../../../src/display.ts';

const hostile = `<script>alert("x")</script> & 'quoted' <img src=x onerror=alert(1)>`;

function input(overrides: Partial<AlertMailInput> = {}): AlertMailInput {
  return {
    orgId: '7',
    orgName: 'さくら医療法人',
    targetName: 'さくら内科クリニック',
    alertId: '42',
    action: 'open',
    kind: 'crisis',
    severity: 4,
    summary: '【深刻度4 重大・炎上の疑い】通常 5分あたり約2件のところ 38件（19倍）。',
    explanation: {
      bucketMs: 300_000,
      volume: { observed: 38, expected: 2, ratio: 19 },
      negativeShare: { observed: 0.82, baseline: 0.12, negative: 31 },
      reach: { observed: 120, expected: 3.2 },
      fired: ['volume', 'sentiment'],
      detectors: { volume: { strength: 0.97 }, sentiment: { strength: 0.8 } },
      criticalTerms: { new: ['医療ミス'], all: ['医療ミス'] },
      riskCategories: [{ category: '医療過誤・誤診', count: 12 }],
      emergingTerms: [
        { term: '誤診', count: 20, baselineMean: 0.1 },
        { term: hostile, count: 3, baselineMean: 0 },
      ],
      topTerms: [{ term: '誤診' }],
      samples: [
        { id: '1', text: `${hostile}\r\nBcc: victim@example.com`, url: 'javascript:alert(1)', engagement: 50 },
        { id: '2', text: '受付の対応がひどい', url: 'https://x.example/status/2?a=1&b="2"', engagement: 10 },
      ],
    },
    at: new Date('2026-11-20T01:05:00Z'),
    dashboardUrl: 'https://hinoko.example.jp/',
    ...overrides,
  };
}

describe('alert mail', () => {
  it('puts severity, its Japanese level and the target in the subject', () => {
    // The subject says what it is about: the short title's topic (src/detection/short-title.ts).
    expect(composeAlertMail(input()).subject).toBe('【火の粉・深刻度4 重大】さくら内科クリニックで医療過誤・誤診の指摘');
    expect(alertSubject({ ...input(), targetName: null, action: 'escalate', severity: 5 })).toBe(
      '【火の粉・深刻度5 緊急】さくら医療法人で医療過誤・誤診の指摘（深刻度が上がりました）',
    );
    expect(alertSubject({ ...input(), explanation: {}, severity: 3 })).toBe('【火の粉・深刻度3 要対応】さくら内科クリニックで炎上の疑い');
    expect(alertSubject({ ...input(), kind: 'notice', severity: 2 })).toBe(
      '【火の粉・深刻度2 警戒】さくら内科クリニックで炎上の兆候のない話題の急増',
    );
  });

  it('never lets CR/LF or control characters from names into the subject, and caps its length', () => {
    const subject = alertSubject({ ...input(), targetName: 'さくら\r\nBcc: victim@example.com\u0000\u2028' + 'あ'.repeat(500) });
    expect(subject).not.toMatch(/[\r\n\u0000\u2028]/);
    expect([...subject].length).toBeLessThanOrEqual(200);
    expect(subject.startsWith('【火の粉・深刻度4 重大】さくら Bcc: victim@example.com')).toBe(true);
    expect(headerSafe('a\r\n\tb')).toBe('a b');
  });

  it('escapes every post text and term in HTML and drops non-http links', () => {
    const { html, text } = composeAlertMail(input());
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;');
    expect(html).toContain('href="https://x.example/status/2?a=1&amp;b=%222%22"');
    // The plain-text part keeps the post as written (a mail client shows text as text).
    expect(text).toContain('<script>alert("x")</script>');
    expect(text).not.toContain('javascript:');
    expect(text).not.toContain('\r');
  });

  it('explains baseline against observed, detectors, terms, risks and samples, with JST times and a dashboard link', () => {
    const { text, html } = composeAlertMail(input());
    expect(text).toContain('投稿量: 38件（19倍）／通常 5分あたり約2件');
    expect(text).toContain('否定的投稿の割合: 82%（通常 12%）');
    expect(text).toContain('反応した検知器: 投稿量 97%、否定割合 80%');
    expect(text).toContain('重大ワードの初出: 医療ミス');
    expect(text).toContain('リスク分類: 医療過誤・誤診(12)');
    expect(text).toMatch(/増えている語: 誤診、/);
    expect(text).toContain('検知した時間帯: 2026/11/20 10:05〜10:10 (JST)');
    expect(text).not.toContain('■ 概要');
    // Pages, never the JSON API: the overview always, the incident's page when the alert has one.
    expect(text).toContain('概要（投稿の推移）を開く: https://hinoko.example.jp/');
    expect(html).toContain('href="https://hinoko.example.jp/"');
    expect(text).not.toContain('/api/');
    expect(text).not.toContain('インシデントを開く');
    expect(text).toMatch(/アラートの詳細を開く: https:\/\/hinoko\.example\.jp\/alerts\/\d+/);
    const withIncident = composeAlertMail({ ...input(), incidentId: '42' });
    expect(withIncident.text).toContain('インシデントを開く: https://hinoko.example.jp/incidents/42');
    expect(withIncident.html).toContain('href="https://hinoko.example.jp/incidents/42">インシデントを開く</a>');
    expect(text).toContain('経営層・広報・法務');
  });

  it('survives an explanation that is not what it should be', () => {
    for (const explanation of [null, 'x', [], { volume: 'x', samples: 'no', fired: [1, null], riskCategories: [null] }]) {
      const mail = composeAlertMail(input({ explanation }));
      expect(mail.subject).toContain('深刻度4');
      // Without usable facts, detection's own one-line summary stands in.
      expect(mail.text).toContain('■ 概要');
      expect(mail.text).toContain('通常 5分あたり約2件のところ 38件');
    }
  });

  it('formats times in Asia/Tokyo and escapes the five HTML specials', () => {
    expect(formatJst(new Date('2026-12-31T15:30:00Z'))).toBe('2027/01/01 00:30 (JST)');
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });
});

describe('alert mail naming the clinic’s own post (issue 17)', () => {
  const ownPost = {
    postId: '31',
    channelJa: 'X（旧Twitter）',
    excerpt: `新しい予約システム ${hostile}`,
    url: 'https://x.com/clinic/status/5',
    publishedAt: '2026-11-20T00:00:00Z',
    negative: 12,
    reactions: 15,
    windowNegative: 20,
    windowMinutes: 60,
  };

  it('names the post, when it went out, the negative replies among the window’s, and links its page', () => {
    const mail = composeAlertMail(input({ explanation: { ...input().explanation!, ownPost } }));
    expect(mail.text).toContain(
      `発端とみられる当院の投稿: X（旧Twitter）の投稿「新しい予約システム <script>alert("x")</script> &…」（${formatJst(new Date(ownPost.publishedAt))} 公開）への否定的な返信・引用 12件（直近60分の否定的投稿 20件のうち） https://x.com/clinic/status/5`,
    );
    expect(mail.text).toContain('発端とみられる当院の投稿を開く: https://hinoko.example.jp/posts/31');
    expect(mail.html).toContain('<a href="https://hinoko.example.jp/posts/31">発端とみられる当院の投稿を開く</a>');
    expect(mail.html).not.toContain('<script>');
  });

  it('ignores a stored ownPost that is not one (a bad id, no count, a script address)', () => {
    for (const bad of [{ ...ownPost, postId: '../1' }, { ...ownPost, negative: 'many' }, 'x', null]) {
      const mail = composeAlertMail(input({ explanation: { ...input().explanation!, ownPost: bad } }));
      expect(mail.text).not.toContain('発端とみられる当院の投稿');
    }
    const scripted = composeAlertMail(
      input({ explanation: { ...input().explanation!, ownPost: { ...ownPost, url: 'javascript:alert(1)' } } }),
    );
    expect(scripted.text).toContain('発端とみられる当院の投稿: X（旧Twitter）');
    expect(scripted.text).not.toContain('javascript:');
  });
});
