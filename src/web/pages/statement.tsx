/** @jsxImportSource hono/jsx */
import { diffChars } from 'diff';
import type { Child } from 'hono/jsx';
import { displayText, formatJstDateTime } from '../../display.ts';
import { editableStatuses, kindLabels, statementStatusLabels } from '../../statements/lifecycle.ts';
import type { getStatement } from '../../statements/queries.ts';
import { Flash, Layout, type Viewer } from '../layout.tsx';

// The statement editor (第一報・謝罪文・口コミ返信): the text with the checker's findings marked where
// they are, unfilled 【記入: …】 slots among them, every version with what changed, and only the
// workflow buttons this person may use — the author and editors never see 承認.

export type StatementDetail = Awaited<ReturnType<typeof getStatement>>;

const severityLabels = { block: '要修正', warn: '注意' } as const;

type Finding = StatementDetail['findings'][number];

/** The text as segments: plain, or marked with the findings (numbered) that cover it. */
export function markedSegments(text: string, findings: readonly { start: number; end: number }[]): { text: string; marks: number[] }[] {
  const cuts = new Set([0, text.length]);
  for (const f of findings) {
    cuts.add(Math.max(0, Math.min(text.length, f.start)));
    cuts.add(Math.max(0, Math.min(text.length, f.end)));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: { text: string; marks: number[] }[] = [];
  for (let i = 0; i < points.length - 1; i++) {
    const [from, to] = [points[i]!, points[i + 1]!];
    if (from === to) continue;
    const marks = findings.flatMap((f, n) => (f.start <= from && f.end >= to ? [n + 1] : []));
    out.push({ text: text.slice(from, to), marks });
  }
  return out;
}

function Marked(props: { text: string; findings: Finding[] }) {
  return (
    <div class="post statement-text">
      {markedSegments(props.text, props.findings).map((s) =>
        s.marks.length === 0 ? (
          displayText(s.text)
        ) : (
          <mark title={`指摘 ${s.marks.join('・')}`}>
            {displayText(s.text)}
            <sup>{s.marks.join(',')}</sup>
          </mark>
        ),
      )}
    </div>
  );
}

function Diff(props: { before: string; after: string }) {
  const parts = diffChars(props.before, props.after);
  if (parts.every((p) => !p.added && !p.removed)) return <p class="muted">本文の変更はありません。</p>;
  return (
    <div class="post diff">
      {parts.map((p): Child =>
        p.added ? <ins>{displayText(p.value)}</ins> : p.removed ? <del>{displayText(p.value)}</del> : displayText(p.value),
      )}
    </div>
  );
}

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
  const versions = [...s.versions].reverse();

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
          <section class="card" aria-labelledby="versions">
            <h2 id="versions">版の履歴</h2>
            <ol class="timeline" reversed>
              {versions.map((ver, i) => {
                const previous = versions[i + 1];
                return (
                  <li>
                    <time datetime={ver.editedAt.toISOString()}>{formatJstDateTime(ver.editedAt)}</time>
                    <b>第{ver.version}版</b> — {person(ver.editedBy)}
                    {previous ? <Diff before={previous.body} after={ver.body} /> : <p class="muted">最初の版</p>}
                  </li>
                );
              })}
            </ol>
          </section>
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
          {props.blocking.map((f, i) => (
            <div class="field">
              <label for={`override-${i}`}>要修正「{displayText(f.excerpt)}」を承知で承認する理由</label>
              <input
                id={`override-${i}`}
                type="text"
                name={`override:${f.id}`}
                maxlength={1000}
                required={f.overridable}
                disabled={!f.overridable}
              />
              {!f.overridable ? <p class="error">この指摘は上書きできません。差し戻して修正してください。</p> : null}
            </div>
          ))}
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
      {can.withdraw ? (
        <details>
          <summary>取り下げる</summary>
          <form method="post" action={`${base}/withdraw`} class="field">
            {csrf}
            <label for="withdraw-reason">取り下げの理由</label>
            <textarea id="withdraw-reason" name="reason" required maxlength={2000} />
            <button type="submit" class="secondary">
              取り下げる
            </button>
          </form>
        </details>
      ) : null}
    </section>
  );
}
