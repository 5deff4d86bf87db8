/** @jsxImportSource hono/jsx */
import { roleNames } from '../../incident-record/lifecycle.ts';
import type { Playbook, PlaybookStep } from '../../incidents/playbook.ts';
import { displayText, formatJstDateTime } from '../../display.ts';
import { Flash, Layout, type Viewer } from '../layout.tsx';
import { roleLabels, severityLabel } from '../labels.ts';
import { FormErrors, SettingsNav } from './settings-nav.tsx';

// The crisis playbook: its steps (owner role, due after detection, checklist, when it applies,
// whether it must be done before resolving) and its versions. Saving makes a new version;
// incidents in progress keep the version they opened with.

export const newStepSlots = 2;

function due(minutes: number): string {
  if (minutes === 0) return '検知してすぐ';
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return `検知から ${d ? `${d}日` : ''}${h ? `${h}時間` : ''}${m ? `${m}分` : ''}以内`;
}

function StepFields(props: { i: number; step: PlaybookStep | null; order: number; riskCategories: readonly string[] }) {
  const s = props.step;
  const p = `st${props.i}`;
  return (
    // Collapsed per step, so the form stays a list on a phone; new rows open (they are what is added).
    <details class="step" open={s ? undefined : true}>
      <summary>{s ? `手順 ${props.order}: ${s.title}` : '新しい手順（書いたときだけ追加）'}</summary>
      <input type="hidden" name={`${p}_key`} value={s?.key ?? ''} />
      <div class="grid halves">
        <div class="field">
          <label for={`${p}-title`}>手順</label>
          <input id={`${p}-title`} type="text" name={`${p}_title`} value={s?.title ?? ''} maxlength={200} />
        </div>
        <div class="field">
          <label for={`${p}-order`}>順番</label>
          <input id={`${p}-order`} type="text" inputmode="numeric" name={`${p}_order`} value={String(props.order)} maxlength={3} />
        </div>
        <div class="field">
          <label for={`${p}-owner`}>担当</label>
          <select id={`${p}-owner`} name={`${p}_ownerRole`}>
            {roleNames.map((r) => (
              <option value={r} selected={(s?.ownerRole ?? 'pr_staff') === r}>
                {roleLabels[r]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for={`${p}-due`}>期限（検知から何分以内）</label>
          <input
            id={`${p}-due`}
            type="text"
            inputmode="numeric"
            name={`${p}_due`}
            value={String(s?.dueOffsetMinutes ?? 60)}
            maxlength={6}
          />
        </div>
        <div class="field">
          <label for={`${p}-sev`}>この深刻度以上のときだけ</label>
          <select id={`${p}-sev`} name={`${p}_minSeverity`}>
            <option value="">いつも</option>
            {[1, 2, 3, 4, 5].map((n) => (
              <option value={String(n)} selected={s?.when.minSeverity === n}>
                {severityLabel(n)} 以上
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for={`${p}-risk`}>このリスク区分のときだけ（1行に1つ・空ならいつも）</label>
          <textarea id={`${p}-risk`} name={`${p}_risks`} placeholder={props.riskCategories.slice(0, 3).join('\n')}>
            {(s?.when.riskCategories ?? []).join('\n')}
          </textarea>
        </div>
      </div>
      <div class="field">
        <label for={`${p}-check`}>チェックリスト（1行に1つ）</label>
        <textarea id={`${p}-check`} name={`${p}_checklist`}>
          {(s?.checklist ?? []).join('\n')}
        </textarea>
      </div>
      <div class="field check">
        <input id={`${p}-req`} type="checkbox" name={`${p}_required`} value="on" checked={s ? s.required !== false : true} />
        <label for={`${p}-req`}>解決する前に完了か省略が必要</label>
      </div>
      {s ? (
        <div class="field check">
          <input id={`${p}-del`} type="checkbox" name={`${p}_delete`} value="on" />
          <label for={`${p}-del`}>この手順を外す</label>
        </div>
      ) : null}
    </details>
  );
}

export function PlaybookPage(props: {
  viewer: Viewer;
  playbook: Playbook;
  /** The version shown when it is not the current one. */
  viewing: number | null;
  current: number;
  versions: { version: number; createdAt: Date; createdBy: string; steps: number }[];
  riskCategories: readonly string[];
  errors: string[];
  flash?: string;
}) {
  const v = props.viewer;
  const pb = props.playbook;
  const mayChange = v.may('playbooks.manage');
  return (
    <Layout viewer={v} title="対応手順" current="/settings">
      <SettingsNav viewer={v} current="/settings/playbook" />
      <h1>
        対応手順（プレイブック） <span class="en">Playbook</span>
      </h1>
      <Flash message={props.flash} />
      <FormErrors errors={props.errors} />
      <div class="grid two">
        <section class="card" aria-labelledby="pb-steps">
          <h2 id="pb-steps">
            {pb.version === 0 ? '同梱の既定版' : `第${pb.version}版`}
            {props.viewing !== null && props.viewing !== props.current ? '（過去の版）' : '（いまの版）'}
          </h2>
          <ol class="rows">
            {pb.steps.map((s) => (
              <li>
                <span>
                  <strong>{displayText(s.title)}</strong>
                  <span class="meta">
                    {roleLabels[s.ownerRole]}・{due(s.dueOffsetMinutes)}
                    {s.when.minSeverity ? `・${severityLabel(s.when.minSeverity)}以上` : ''}
                    {s.when.riskCategories ? `・${s.when.riskCategories.map(displayText).join('／')}` : ''}
                    {s.required === false ? '・任意' : ''}
                  </span>
                  {s.checklist.length > 0 ? (
                    <ul class="plain">
                      {s.checklist.map((c) => (
                        <li>☐ {displayText(c)}</li>
                      ))}
                    </ul>
                  ) : null}
                </span>
              </li>
            ))}
          </ol>
        </section>
        <section class="card" aria-labelledby="pb-versions">
          <h2 id="pb-versions">版</h2>
          <p class="muted">インシデントは、始まったときの版の手順で進みます。保存すると新しい版になります。</p>
          <ul class="rows">
            {props.versions.map((x) => (
              <li>
                <a href={`/settings/playbook?version=${x.version}`}>第{x.version}版</a>
                <span class="meta">
                  {formatJstDateTime(x.createdAt)}・{displayText(x.createdBy)}・{x.steps}手順
                  {x.version === props.current ? '・いまの版' : ''}
                </span>
              </li>
            ))}
            <li>
              <a href="/settings/playbook?version=0">同梱の既定版</a>
              {props.current === 0 ? <span class="meta">いまの版</span> : null}
            </li>
          </ul>
        </section>
      </div>
      {mayChange ? (
        <form class="card" method="post" action="/settings/playbook" aria-labelledby="pb-edit">
          <h2 id="pb-edit">{props.viewing !== null && props.viewing !== props.current ? 'この版を元に新しい版を作る' : '手順を編集'}</h2>
          <input type="hidden" name="_csrf" value={v.csrfToken} />
          {pb.steps.map((s, i) => (
            <StepFields i={i} step={s} order={i + 1} riskCategories={props.riskCategories} />
          ))}
          {Array.from({ length: newStepSlots }, (_, k) => (
            <StepFields i={pb.steps.length + k} step={null} order={pb.steps.length + k + 1} riskCategories={props.riskCategories} />
          ))}
          <input type="hidden" name="count" value={String(pb.steps.length + newStepSlots)} />
          <button type="submit">新しい版として保存（監査ログに記録）</button>
        </form>
      ) : (
        <p class="muted">変更できるのは院長・理事と管理者です。</p>
      )}
    </Layout>
  );
}
