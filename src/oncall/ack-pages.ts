import { Hono, type Context } from 'hono';
import { escapeHtml, formatJst } from '../display.ts';
import type { AppContext } from '../context.ts';
import { requestIdOf, requestSourceIp } from '../http/actor.ts';
import type { AppEnv } from '../http/env.ts';
import { acknowledgeByLink, AckLinkError, inspectAckLink } from './acknowledge-incident.ts';

// The public acknowledgement pages behind the link in an alert mail, outside /api (no login: the
// signed single-use token is the credential). GET only shows a confirm form — mail scanners and
// link previews fetch links, so a GET must never acknowledge; the form's POST does.

const statusOf = { forged: 400, expired: 410, used: 409 } as const;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title></head>
<body style="font-family: 'Hiragino Sans', 'Noto Sans JP', Meiryo, sans-serif; max-width: 40em; margin: 2em auto; padding: 0 1em; line-height: 1.6">
<h1 style="font-size: 1.3em">${escapeHtml(title)}</h1>
${body}
</body></html>`;
}

function refused(c: Context, err: AckLinkError) {
  const detail = {
    forged: 'このリンクは無効です。メールに記載されたリンクをそのまま開いてください。(This link is not valid.)',
    expired:
      'このリンクは有効期限が切れています。ダッシュボードから受領確認してください。(This link has expired; acknowledge from the dashboard.)',
    used: 'このリンクはすでに使用されました。受領確認は記録済みです。(This link has already been used.)',
  }[err.reason];
  c.header('Cache-Control', 'no-store');
  return c.html(page('受領確認できません', `<p>${escapeHtml(detail)}</p>`), statusOf[err.reason]);
}

export function ackPages(ctx: AppContext) {
  const r = new Hono<AppEnv>();
  r.get('/ack/:token', async (c) => {
    const token = c.req.param('token');
    try {
      const link = await inspectAckLink(ctx, token);
      c.header('Cache-Control', 'no-store');
      const already = link.acknowledgedAt
        ? `<p>このインシデントは ${escapeHtml(formatJst(link.acknowledgedAt))} に受領確認済みです。押すとあなたの確認も記録されます。</p>`
        : '';
      return c.html(
        page(
          'インシデントの受領確認 (acknowledge)',
          `
<p>以下のインシデントの対応を引き受けます。ボタンを押すとエスカレーション（次の担当者への通知）が止まります。</p>
<table cellpadding="4"><tr><th align="left">件名</th><td>${escapeHtml(link.title)}</td></tr>
<tr><th align="left">深刻度</th><td>${escapeHtml(String(link.severity))}</td></tr>
<tr><th align="left">リンクの有効期限</th><td>${escapeHtml(formatJst(link.expiresAt))}</td></tr></table>
${already}
<form method="post" action="/ack/${escapeHtml(encodeURIComponent(token))}">
<button type="submit" style="font-size: 1.1em; padding: 0.5em 1.5em">受領する（対応を引き受ける / Acknowledge）</button>
</form>`,
        ),
      );
    } catch (err) {
      if (err instanceof AckLinkError) return refused(c, err);
      throw err;
    }
  });
  r.post('/ack/:token', async (c) => {
    try {
      const result = await acknowledgeByLink(ctx, c.req.param('token'), {
        requestId: requestIdOf(c),
        sourceIp: requestSourceIp(c),
      });
      c.header('Cache-Control', 'no-store');
      return c.html(
        page(
          '受領確認しました',
          `<p>${
            result.first
              ? `受領確認を記録しました（${escapeHtml(formatJst(result.acknowledgedAt))}）。エスカレーションは停止しました。`
              : `このインシデントは ${escapeHtml(formatJst(result.acknowledgedAt))} にすでに受領確認されていました。あなたの確認も記録しました。`
          }</p>
<p>Acknowledged. Escalation has stopped.</p>`,
        ),
      );
    } catch (err) {
      if (err instanceof AckLinkError) return refused(c, err);
      throw err;
    }
  });
  return r;
}
