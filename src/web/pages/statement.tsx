/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import { displayText, formatJstDateTime } from '../../display.ts';
import { editableStatuses, kindLabels, statementStatusLabels } from '../../statements/lifecycle.ts';
import type { getStatement } from '../../statements/queries.ts';
import { Flash, Layout, type Viewer } from '../layout.tsx';
import { Marked, OverrideFields, VersionHistory, WithdrawForm } from './review-parts.tsx';

// The statement editor (第一報・謝罪文・口コミ返信): the text with the checker's findings marked where
// they are, unfilled 【記入: …】 slots among them, every version with what changed, and only the
// workflow buttons this person may use — the author and editors never see 承認.

export type StatementDetail = Awaited<ReturnType<typeof getStatement>>;

const severityLabels = { block: '要修正', warn: '注意' } as const;

type Finding = StatementDetail['findings'][number];

export function StatementPage(props: {
  viewer: Viewer;
  statement: StatementDetail;
  incidentTitle: string;
  names: Map<string, string>;
  /** Whether the viewer wrote a version (or submitted it): then they may not approve. */
  isWriter: boolean;
  flash?: string;
}) {
  const v = props.viewer;
  const s = props.statement;
  const person = (ref: string | null) => (ref ? (props.names.get(ref.replace(/^user:/, '')) ?? '（不明な利用者）') : '—');
  const base = `/incidents/${s.incidentId}/statements/${s.id}`;
  const csrf = <input type="hidden" name="_csrf" value={v.csrfToken} />;
  const bodyFindings = s.findings.filter((f) => f.field === 'body');
  const titleFindings = s.findings.filter((f) => f.field === 'title');
  const editable = editableStatuses.includes(s.status) && v.may('statements.write');
  const blocking = s.findings.filter((f) => f.severity === 'block');

  return (
    <Layout viewer={v} title={`${kindLabels[s.kind]}: ${s.title}`} current="/incidents">
      <p class="muted">
        <a href={`/incidents/${s.incidentId}`}>{displayText(props.incidentTitle)}</a> › 声明文
      </p>
      <h1>{displayText(s.title)}</h1>
      <p class="meta">
        <span class="badge">{kindLabels[s.kind]}</span>
        <span class="badge">{statementStatusLabels[s.status]}</span>
        <span>第{s.version}版</span>
        <span>作成: {person(s.authorId)}</span>
        {s.approvedBy ? <span>承認: {person(s.approvedBy)}</span> : null}
        {s.checkedAt ? <span>チェック {formatJstDateTime(s.checkedAt)}</span> : <span class="error">未チェック</span>}
      </p>
      <Flash message={props.flash} />
      {s.status === 'rejected' && s.rejectReason ? <p class="notice">差し戻しの理由: {displayText(s.rejectReason)}</p> : null}
      <div class="grid two">
        <div class="stack">
          <section class="card" aria-labelledby="text">
            <h2 id="text">本文と指摘</h2>
            {titleFindings.length > 0 ? <p class="muted">件名にも指摘があります（下の一覧）。</p> : null}
            <Marked text={s.body} findings={bodyFindings} />
          </section>
          <section class="card" aria-labelledby="findings">
            <h2 id="findings">
              チェッカーの指摘 <span class="en">{s.findings.length} 件</span>
            </h2>
            {s.findings.length === 0 ? <p class="muted">{s.checkedAt ? '指摘はありません。' : 'まだチェックしていません。'}</p> : null}
            <ol class="findings">
              {s.findings.map((f) => (
                <li class={`finding ${f.severity}`}>
                  <div class="meta">
                    <span class={`badge ${f.severity === 'block' ? 'sev-4' : 'sev-2'}`}>{severityLabels[f.severity]}</span>
                    <b>{displayText(f.message_ja)}</b>
                    {f.field === 'title' ? <span>（件名）</span> : null}
                  </div>
                  <p>
                    該当: 「{displayText(f.excerpt)}」
                    <br />
                    {displayText(f.advice_ja)}
                  </p>
                </li>
              ))}
            </ol>
          </section>
          {editable ? (
            <section class="card" aria-labelledby="edit">
              <h2 id="edit">編集</h2>
              <form method="post" action={`${base}/edit`}>
                {csrf}
                <input type="hidden" name="version" value={String(s.version)} />
                <div class="field">
                  <label for="st-title">件名</label>
                  <input id="st-title" type="text" name="title" value={s.title} required maxlength={200} />
                </div>
                <div class="field">
                  <label for="st-body">本文（【記入: …】の箇所を事実に置き換えてください）</label>
                  <textarea id="st-body" name="body" required rows={14}>
                    {s.body}
                  </textarea>
                </div>
                <button type="submit">保存してチェックする</button>
              </form>
            </section>
          ) : null}
          <VersionHistory
            versions={s.versions.map((ver) => ({ version: ver.version, at: ver.editedAt, by: person(ver.editedBy), text: ver.body }))}
          />
        </div>
        <div class="stack">
          <Workflow viewer={v} statement={s} base={base} csrf={csrf} isWriter={props.isWriter} blocking={blocking} />
        </div>
      </div>
    </Layout>
  );
}

function Workflow(props: {
  viewer: Viewer;
  statement: StatementDetail;
  base: string;
  csrf: Child;
  isWriter: boolean;
  blocking: Finding[];
}) {
  const { viewer: v, statement: s, base, csrf } = props;
  const can = {
    submit: (s.status === 'draft' || s.status === 'rejected') && v.may('statements.write'),
    approve: s.status === 'in_review' && v.may('statements.approve') && !props.isWriter,
    reject: s.status === 'in_review' && v.may('statements.approve'),
    publish: s.status === 'approved' && v.may('statements.write'),
    withdraw: s.status !== 'withdrawn' && v.may('statements.write'),
  };
  return (
    <section class="card" aria-labelledby="workflow">
      <h2 id="workflow">承認の流れ</h2>
      <p class="muted">下書き → 承認待ち → 承認済み → 公開。承認は作成・編集した人以外が行います。</p>
      {can.submit ? (
        <form method="post" action={`${base}/submit`} class="field">
          {csrf}
          <button type="submit">承認を依頼する</button>
        </form>
      ) : null}
      {s.status === 'in_review' && props.isWriter ? (
        <p class="notice">あなたはこの声明文を書いたため承認できません。別の人に依頼してください。</p>
      ) : null}
      {can.approve ? (
        <form method="post" action={`${base}/approve`} class="field">
          {csrf}
          <input type="hidden" name="version" value={String(s.version)} />
          <OverrideFields findings={props.blocking} label="要修正" never="この指摘は上書きできません。差し戻して修正してください。" />
          <button type="submit">承認する</button>
        </form>
      ) : null}
      {can.reject ? (
        <form method="post" action={`${base}/reject`} class="field">
          {csrf}
          <label for="reject-reason">差し戻しの理由</label>
          <textarea id="reject-reason" name="reason" required maxlength={2000} />
          <button type="submit" class="secondary">
            差し戻す
          </button>
        </form>
      ) : null}
      {can.publish ? (
        <form method="post" action={`${base}/publish`} class="field">
          {csrf}
          <button type="submit" class="danger">
            公開済みにする
          </button>
        </form>
      ) : null}
      {can.withdraw ? <WithdrawForm action={`${base}/withdraw`} hidden={csrf} maxLength={2000} /> : null}
    </section>
  );
}
