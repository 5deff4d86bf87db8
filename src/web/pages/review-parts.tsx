/** @jsxImportSource hono/jsx */
import { diffChars } from 'diff';
import type { Child } from 'hono/jsx';
import { displayText, formatJstDateTime } from '../../display.ts';

// What the two review editors share — statements (incident pages) and the clinic's own posts: the
// text with the checker's findings marked, and every version with what changed.

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

/** The text with the findings marked (numbered as in the findings list). */
export function Marked(props: { text: string; findings: readonly { start: number; end: number }[] }) {
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

/** What changed between two versions, character by character (the post editor uses it too). */
export function Diff(props: { before: string; after: string }) {
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

/** Every version, newest first, each with what changed since the one before. */
export function VersionHistory(props: { versions: readonly { version: number; at: Date; by: string; text: string }[] }) {
  const versions = [...props.versions].reverse();
  return (
    <section class="card" aria-labelledby="versions">
      <h2 id="versions">版の履歴</h2>
      <ol class="timeline" reversed>
        {versions.map((ver, i) => {
          const previous = versions[i + 1];
          return (
            <li>
              <time datetime={ver.at.toISOString()}>{formatJstDateTime(ver.at)}</time>
              <b>第{ver.version}版</b> — {ver.by}
              {previous ? <Diff before={previous.text} after={ver.text} /> : <p class="muted">最初の版</p>}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

/** 取り下げる, behind a disclosure: the reason is recorded. `hidden` carries the CSRF token and version. */
export function WithdrawForm(props: { action: string; hidden: Child; maxLength: number }) {
  return (
    <details>
      <summary>取り下げる</summary>
      <form method="post" action={props.action} class="field">
        {props.hidden}
        <label for="withdraw-reason">取り下げの理由</label>
        <textarea id="withdraw-reason" name="reason" required maxlength={props.maxLength} />
        <button type="submit" class="secondary">
          取り下げる
        </button>
      </form>
    </details>
  );
}

/** One reason field per blocking finding (override:<findingId>); an unoverridable one is shown, disabled. */
export function OverrideFields(props: {
  findings: readonly { id: string; excerpt: string; overridable: boolean }[];
  label: string;
  never: string;
}) {
  return (
    <>
      {props.findings.map((f, i) => (
        <div class="field">
          <label for={`override-${i}`}>
            {props.label}「{displayText(f.excerpt)}」を承知で承認する理由
          </label>
          <input
            id={`override-${i}`}
            type="text"
            name={`override:${f.id}`}
            maxlength={1000}
            required={f.overridable}
            disabled={!f.overridable}
          />
          {!f.overridable ? <p class="error">{props.never}</p> : null}
        </div>
      ))}
    </>
  );
}
