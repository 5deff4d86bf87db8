/** @jsxImportSource hono/jsx */
import { displayText, formatJstDateTime } from '../../display.ts';
import type { CalendarDay } from '../../oncall/calendar.ts';
import type { Policy } from '../../oncall/policy.ts';
import type { Rotation, ScheduleDefinition } from '../../oncall/schedule.ts';
import { Flash, Layout, type Viewer } from '../layout.tsx';
import { FormErrors, SettingsNav } from './settings-nav.tsx';

// On-call: the month as a calendar (who is on call each day, holidays marked, overrides drawn
// over the day they cover), the rotation and its rest-day rotation, overrides by form, and the
// escalation policy (who is paged, in which order, after how long).

const weekdayNames = ['日', '月', '火', '水', '木', '金', '土'];

type Person = { id: string; name: string };
export type ScheduleView = { id: string; name: string } & ScheduleDefinition;

function hm(d: Date): string {
  return formatJstDateTime(d).slice(-5);
}

function Calendar(props: { days: CalendarDay[]; name: (id: string) => string; today: string }) {
  const lead = props.days[0]?.weekday ?? 0;
  return (
    <div class="calendar">
      <div class="cal-head" aria-hidden="true">
        {weekdayNames.map((w) => (
          <span>{w}</span>
        ))}
      </div>
      <ol class="cal-grid" aria-label="当番カレンダー">
        {Array.from({ length: lead }, () => (
          <li class="cal-blank" aria-hidden="true" />
        ))}
        {props.days.map((d) => (
          <li
            class={`cal-day${d.restDay ? ' rest' : ''}${d.overrides.length > 0 ? ' covered' : ''}${d.date === props.today ? ' today' : ''}`}
            data-date={d.date}
            aria-current={d.date === props.today ? 'date' : undefined}
          >
            <span class="cal-date">
              {Number(d.date.slice(8))}
              <span class="cal-wd">（{weekdayNames[d.weekday]}）</span>
            </span>
            {d.holiday ? <span class="cal-holiday">{d.holiday}</span> : null}
            <span class="cal-who">{d.onCall ? displayText(props.name(d.onCall.userId)) : '—'}</span>
            {d.overrides.map((o) => (
              <span class="cal-override">
                代理 {displayText(props.name(o.userId))} {hm(o.startsAt)}〜{hm(o.endsAt)}
              </span>
            ))}
          </li>
        ))}
      </ol>
    </div>
  );
}

function RotationFields(props: { prefix: string; legend: string; rotation: Rotation | null; people: Person[]; optional?: boolean }) {
  const r = props.rotation;
  const p = props.prefix;
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      <p class="muted">
        担当する人に順番（1, 2, 3…）を入れます。空欄の人は入りません。
        {props.optional ? 'だれも入れなければ、土日祝も通常の交代制です。' : ''}
      </p>
      <div class="order-grid">
        {props.people.map((u) => {
          const at = r ? r.userIds.indexOf(u.id) : -1;
          return (
            <div class="field">
              <label for={`${p}-u-${u.id}`}>{displayText(u.name)}</label>
              <input
                id={`${p}-u-${u.id}`}
                type="text"
                inputmode="numeric"
                name={`${p}_u_${u.id}`}
                value={at >= 0 ? String(at + 1) : ''}
                size={3}
                maxlength={2}
              />
            </div>
          );
        })}
      </div>
      <div class="grid halves">
        <div class="field">
          <label for={`${p}-length`}>1人あたりの日数</label>
          <input
            id={`${p}-length`}
            type="text"
            inputmode="numeric"
            name={`${p}_lengthDays`}
            value={String(r?.lengthDays ?? 7)}
            maxlength={2}
          />
        </div>
        <div class="field">
          <label for={`${p}-handoff`}>交代時刻（日本時間）</label>
          <input id={`${p}-handoff`} type="time" name={`${p}_handoffTime`} value={r?.handoffTime ?? '09:00'} />
        </div>
        <div class="field">
          <label for={`${p}-start`}>開始日（最初の人がこの日の交代時刻から）</label>
          <input id={`${p}-start`} type="date" name={`${p}_startDate`} value={r?.startDate ?? ''} />
        </div>
      </div>
    </fieldset>
  );
}

export function OncallPage(props: {
  viewer: Viewer;
  schedules: ScheduleView[];
  selected: ScheduleView | null;
  month: { year: number; month: number };
  days: CalendarDay[];
  overrides: { id: string; userId: string; startsAt: Date; endsAt: Date }[];
  people: Person[];
  names: (id: string) => string;
  policy: Policy | null;
  errors: string[];
  flash?: string;
}) {
  const v = props.viewer;
  const mayChange = v.may('oncall.manage');
  const s = props.selected;
  const { year, month } = props.month;
  const shift = (delta: number) => {
    const d = new Date(Date.UTC(year, month - 1 + delta, 1));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  };
  const base = s ? `/settings/oncall?schedule=${s.id}&month=` : '/settings/oncall?month=';
  return (
    <Layout viewer={v} title="当番とエスカレーション" current="/settings">
      <SettingsNav viewer={v} current="/settings/oncall" />
      <h1>
        当番とエスカレーション <span class="en">On-call</span>
      </h1>
      <Flash message={props.flash} />
      <FormErrors errors={props.errors} />
      {props.schedules.length > 1 ? (
        <nav class="subnav" aria-label="当番表">
          <ul>
            {props.schedules.map((x) => (
              <li>
                <a href={`/settings/oncall?schedule=${x.id}&month=${shift(0)}`} aria-current={x.id === s?.id ? 'page' : undefined}>
                  {displayText(x.name)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      {s ? (
        <section class="card" aria-labelledby="oc-cal">
          <h2 id="oc-cal">
            {displayText(s.name)}: {year}年{month}月
          </h2>
          <p class="actions">
            <a href={`${base}${shift(-1)}`}>← 前の月</a>
            <a href={`${base}${shift(1)}`}>次の月 →</a>
          </p>
          <Calendar days={props.days} name={props.names} today={formatJstDateTime(v.now).slice(0, 10).replaceAll('/', '-')} />
          <p class="muted">
            交代時刻 {s.rotation.handoffTime}（日本時間）。土日祝の色の日は{s.restDayRotation ? '土日祝の交代制' : '通常の交代制'}
            が担当します。「代理」は交代制より優先されます。
          </p>
        </section>
      ) : (
        <p class="card">当番表がありません。{mayChange ? '下のフォームで作成できます。' : ''}</p>
      )}
      {s && props.overrides.length > 0 ? (
        <section class="card" aria-labelledby="oc-ov">
          <h2 id="oc-ov">これからの代理</h2>
          <ul class="rows">
            {props.overrides.map((o) => (
              <li>
                <span>
                  <strong>{displayText(props.names(o.userId))}</strong> {formatJstDateTime(o.startsAt)} 〜 {formatJstDateTime(o.endsAt)}
                </span>
                {mayChange ? (
                  <form method="post" action={`/settings/oncall/${s.id}/overrides/${o.id}/remove`}>
                    <input type="hidden" name="_csrf" value={v.csrfToken} />
                    <button type="submit" class="secondary" data-confirm="この代理を取り消します。よろしいですか？">
                      取り消す
                    </button>
                  </form>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {mayChange && s ? (
        <form class="card" method="post" action={`/settings/oncall/${s.id}/overrides`} aria-labelledby="oc-add-ov">
          <h2 id="oc-add-ov">代理を入れる</h2>
          <input type="hidden" name="_csrf" value={v.csrfToken} />
          <div class="grid halves">
            <div class="field">
              <label for="ov-user">代わりに担当する人</label>
              <select id="ov-user" name="userId">
                {props.people.map((u) => (
                  <option value={u.id}>{displayText(u.name)}</option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="ov-from">開始（日本時間）</label>
              <input id="ov-from" type="datetime-local" name="startsAt" required />
            </div>
            <div class="field">
              <label for="ov-to">終了（日本時間）</label>
              <input id="ov-to" type="datetime-local" name="endsAt" required />
            </div>
          </div>
          <button type="submit">代理を保存（監査ログに記録）</button>
        </form>
      ) : null}
      {mayChange ? (
        <form class="card" method="post" action={s ? `/settings/oncall/${s.id}` : '/settings/oncall/new'} aria-labelledby="oc-rot">
          <h2 id="oc-rot">{s ? '交代制を変更' : '当番表を作成'}</h2>
          <input type="hidden" name="_csrf" value={v.csrfToken} />
          <div class="field">
            <label for="oc-name">当番表の名前</label>
            <input id="oc-name" type="text" name="name" value={s?.name ?? '広報当番'} maxlength={100} required />
          </div>
          <RotationFields prefix="r" legend="通常の交代制" rotation={s?.rotation ?? null} people={props.people} />
          <RotationFields
            prefix="rr"
            legend="土日祝の交代制（任意）"
            rotation={s?.restDayRotation ?? null}
            people={props.people}
            optional
          />
          <button type="submit">当番表を保存（監査ログに記録）</button>
        </form>
      ) : null}
      {s && mayChange ? (
        <p>
          <a href="/settings/oncall?new=1">別の当番表を作る</a>
        </p>
      ) : null}
      <PolicySection viewer={v} policy={props.policy} schedules={props.schedules} people={props.people} names={props.names} />
    </Layout>
  );
}

const levelSlots = 4;

function PolicySection(props: {
  viewer: Viewer;
  policy: Policy | null;
  schedules: ScheduleView[];
  people: Person[];
  names: (id: string) => string;
}) {
  const v = props.viewer;
  const p = props.policy;
  const scheduleName = (id: string) => props.schedules.find((s) => s.id === id)?.name ?? `当番表 ${id}`;
  return (
    <section class="card" aria-labelledby="oc-pol">
      <h2 id="oc-pol">エスカレーション</h2>
      {p ? (
        <ol class="levels">
          {p.levels.map((l, i) => (
            <li>
              {i === 0 ? 'すぐに' : `前の段階から ${p.levels[i - 1]!.timeoutMinutes} 分応答がなければ`}:{' '}
              {l.targets
                .map((t) =>
                  t.type === 'schedule' ? `${scheduleName(t.scheduleId)}の当番` : t.type === 'user' ? props.names(t.userId) : t.address,
                )
                .map(displayText)
                .join('、')}
            </li>
          ))}
          {p.repeat > 1 ? <li>応答がなければ、最初から繰り返す（全{p.repeat}回）</li> : null}
        </ol>
      ) : (
        <p>エスカレーションは未設定です。インシデントは通知の設定の宛先にメールされます。</p>
      )}
      {v.may('oncall.manage') ? (
        <form method="post" action="/settings/oncall/policy">
          <input type="hidden" name="_csrf" value={v.csrfToken} />
          <p class="muted">段階ごとに呼び出す相手を選びます。相手を選ばなかった段階は使いません。</p>
          {Array.from({ length: levelSlots }, (_, i) => {
            const level = p?.levels[i];
            const has = (pred: (t: Policy['levels'][number]['targets'][number]) => boolean) => level?.targets.some(pred) ?? false;
            return (
              <fieldset>
                <legend>第{i + 1}段階</legend>
                <div class="field">
                  <label for={`lv${i}-timeout`}>応答を待つ時間（分）</label>
                  <input
                    id={`lv${i}-timeout`}
                    type="text"
                    inputmode="numeric"
                    name={`lv${i}_timeout`}
                    value={String(level?.timeoutMinutes ?? 15)}
                    maxlength={4}
                  />
                </div>
                <div class="order-grid">
                  {props.schedules.map((s) => (
                    <div class="field check">
                      <input
                        id={`lv${i}-s-${s.id}`}
                        type="checkbox"
                        name={`lv${i}_s_${s.id}`}
                        value="on"
                        checked={has((t) => t.type === 'schedule' && t.scheduleId === s.id)}
                      />
                      <label for={`lv${i}-s-${s.id}`}>{displayText(s.name)}の当番</label>
                    </div>
                  ))}
                  {props.people.map((u) => (
                    <div class="field check">
                      <input
                        id={`lv${i}-u-${u.id}`}
                        type="checkbox"
                        name={`lv${i}_u_${u.id}`}
                        value="on"
                        checked={has((t) => t.type === 'user' && t.userId === u.id)}
                      />
                      <label for={`lv${i}-u-${u.id}`}>{displayText(u.name)}</label>
                    </div>
                  ))}
                </div>
                <div class="field">
                  <label for={`lv${i}-addr`}>メールアドレス（1行に1つ。院外の連絡先など）</label>
                  <textarea id={`lv${i}-addr`} name={`lv${i}_addresses`}>
                    {(level?.targets ?? []).flatMap((t) => (t.type === 'address' ? [t.address] : [])).join('\n')}
                  </textarea>
                </div>
              </fieldset>
            );
          })}
          <div class="field">
            <label for="pol-repeat">全段階を繰り返す回数</label>
            <input id="pol-repeat" type="text" inputmode="numeric" name="repeat" value={String(p?.repeat ?? 1)} maxlength={2} />
          </div>
          <button type="submit">エスカレーションを保存（監査ログに記録）</button>
        </form>
      ) : null}
    </section>
  );
}
