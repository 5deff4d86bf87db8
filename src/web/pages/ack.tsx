/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import { displayText, formatJst } from '../../display.ts';
import { Document } from '../layout.tsx';
import { severityLabel } from '../labels.ts';

// The acknowledgement pages behind the link in an alert mail, opened on a phone at night: the short
// title and the severity's name, one big button, and afterwards the way to the incident's page.
// No login (the signed single-use token is the credential); GET only shows the confirm form.

function AckFrame(props: { title: string; children: Child }) {
  return (
    <Document title={`${props.title} — 火の粉 Hinoko`} secretLink>
      <main id="main" class="ack-page">
        <div class="card">
          <h1>{props.title}</h1>
          {props.children}
        </div>
      </main>
    </Document>
  );
}

export function AckConfirmPage(props: {
  token: string;
  link: { title: string; severity: number; acknowledgedAt: Date | null; expiresAt: Date };
}) {
  const l = props.link;
  return (
    <AckFrame title="インシデントの受領確認">
      <p>
        <span class={`badge sev-${l.severity}`}>{severityLabel(l.severity)}</span>
      </p>
      <p class="ack-title">{displayText(l.title)}</p>
      <p>対応を引き受けると、次の担当者への呼び出し（エスカレーション）が止まります。</p>
      {l.acknowledgedAt ? <p class="notice">{formatJst(l.acknowledgedAt)} に受領確認済みです。押すとあなたの確認も記録されます。</p> : null}
      <form method="post" action={`/ack/${encodeURIComponent(props.token)}`}>
        <button type="submit" class="danger big">
          受領する（対応を引き受ける）
        </button>
      </form>
      <p class="muted">リンクの有効期限: {formatJst(l.expiresAt)}・Acknowledge this incident.</p>
    </AckFrame>
  );
}

export function AckDonePage(props: { incidentId: string; acknowledgedAt: Date; first: boolean }) {
  return (
    <AckFrame title="受領確認しました">
      <p>
        {props.first
          ? `受領確認を記録しました（${formatJst(props.acknowledgedAt)}）。エスカレーションは停止しました。`
          : `このインシデントは ${formatJst(props.acknowledgedAt)} にすでに受領確認されていました。あなたの確認も記録しました。`}
      </p>
      <p>
        <a class="button" href={`/incidents/${encodeURIComponent(props.incidentId)}`}>
          インシデントのページを開く
        </a>
      </p>
      <p class="muted">Acknowledged. Escalation has stopped. The incident page asks you to log in first.</p>
    </AckFrame>
  );
}

export function AckRefusedPage(props: { reason: 'forged' | 'expired' | 'used' }) {
  const detail = {
    forged: 'このリンクは無効です。メールに記載されたリンクをそのまま開いてください。(This link is not valid.)',
    expired:
      'このリンクは有効期限が切れています。インシデントのページから受領確認してください。(This link has expired; acknowledge on the incident page.)',
    used: 'このリンクはすでに使用されました。受領確認は記録済みです。(This link has already been used.)',
  }[props.reason];
  return (
    <AckFrame title="受領確認できません">
      <p>{detail}</p>
      <p>
        <a href="/incidents">インシデント一覧を開く</a>
      </p>
    </AckFrame>
  );
}
