/** @jsxImportSource hono/jsx */
import { displayText, formatJstDateTime } from '../../display.ts';
import { findTransition, incidentStatuses, openStatuses, type IncidentStatus } from '../../incident-record/lifecycle.ts';
import type { getIncident } from '../../incidents/queries.ts';
import { nameOf } from '../../auth/users.ts';
import { actorName, describeEvent } from '../../incident-record/describe-event.ts';
import { Flash, Layout, type Viewer } from '../layout.tsx';
import { eventKindLabels, incidentRoleLabels, incidentStatusLabels, roleLabels, severityLabel, taskStatusLabels } from '../labels.ts';
import { sinceJa } from '../time.ts';
import { kindLabels, statementStatusLabels, type StatementKind } from '../../statements/lifecycle.ts';
import type { StatementView } from '../../statements/queries.ts';

// The incident page, as an on-call manager works it (modelled on what PagerDuty users expect): the
// state and who holds which role, acknowledgement and escalation, the actions the role may take,
// the playbook's tasks as a checklist, notes, and the whole timeline with people's names in JST.
// Every action is a plain form (works without JavaScript) posting to a page route.

export type IncidentDetail = Awaited<ReturnType<typeof getIncident>>;
type StatementSummary = Pick<StatementView, 'id' | 'kind' | 'title' | 'status' | 'version' | 'updatedAt'>;

export interface EscalationView {
  status: string;
  level: number;
  levels: number;
  round: number;
  nextAt: Date | null;
}

const escalationStatusLabels: Record<string, string> = {
  active: '呼び出し中',
  acknowledged: '受領済み',
  exhausted: '全段階の呼び出しが終了',
  closed: '終了',
};

const moveLabels: Partial<Record<IncidentStatus, string>> = {
  active: '対応中にする',
  stable: '沈静化にする',
  resolved: '解決にする',
  closed: '完了にする',
  cancelled: '取り消す（誤検知など）',
  triage: '初動確認に戻す',
};

export function IncidentPage(props: {
  viewer: Viewer;
  incident: IncidentDetail;
  people: { id: string; name: string; role: string }[];
  escalation: EscalationView | null;
  statements: StatementSummary[];
  templates: readonly { key: string; kind: StatementKind; label_ja: string }[];
  flash?: string;
}) {
  const v = props.viewer;
  const i = props.incident;
  // People are stored as ids or as 'user:4' (done_by, acknowledgements): always shown by name.
  const name = nameOf(props.people);
  const titles = new Map(i.tasks.map((t) => [t.stepKey, t.title]));
  const taskTitle = (key: unknown) => displayText(titles.get(String(key)) ?? 'タスク');
  const words = { name, taskTitle };
  const isOpen = openStatuses.includes(i.status);
  const moves = incidentStatuses.filter((to) => to !== i.status && findTransition(i.status, to));
  const openTasks = i.tasks.filter((t) => t.status === 'open');
  const now = v.now;
  const base = `/incidents/${i.id}`;
  const csrf = <input type="hidden" name="_csrf" value={v.csrfToken} />;
  const roleRows = [
    ['commander', i.people.commander, i.roles.commander],
    ['communications', i.people.communicationsLead, i.roles.communicationsLead],
    ['scribe', i.people.scribe, i.roles.scribe],
  ] as const;

  return (
    <Layout viewer={v} title={i.title} current="/incidents">
      <p class="muted">
        <a href="/incidents">インシデント一覧</a> ›
      </p>
      <h1>{displayText(i.title)}</h1>
      {(i.status === 'resolved' || i.status === 'closed') && v.may('postmortems.read') ? (
        <p>
          <a class="button" href={`/incidents/${i.id}/postmortem`}>
            ポストモーテムを開く
          </a>
        </p>
      ) : null}
      <Flash message={props.flash} />
      {isOpen && !i.acknowledgedAt && v.may('oncall.acknowledge') ? (
        <section class="card ack-card" aria-labelledby="ack">
          <h2 id="ack">受領</h2>
          <p>受領すると、次の段階の呼び出しが止まります。</p>
          <form method="post" action={`${base}/acknowledge`}>
            {csrf}
            <button type="submit" class="danger">
              受領する（対応を引き受ける）
            </button>
          </form>
        </section>
      ) : null}
      <div class="grid two">
        <div class="stack">
          <section class="card" aria-labelledby="state">
            <h2 id="state">状況</h2>
            <dl class="facts">
              <dt>深刻度</dt>
              <dd>
                <span class={`badge sev-${i.severity}`}>{severityLabel(i.severity)}</span>
              </dd>
              <dt>状態</dt>
              <dd>{incidentStatusLabels[i.status]}</dd>
              <dt>検知</dt>
              <dd>
                {formatJstDateTime(i.detectedAt)}（{sinceJa(i.detectedAt, i.resolvedAt ?? now)}
                {i.resolvedAt ? 'で解決' : '経過'}）
              </dd>
              <dt>受領</dt>
              <dd>
                {i.acknowledgedAt ? (
                  <>
                    {formatJstDateTime(i.acknowledgedAt)}
                    {ackBy(i.timeline, name)}
                  </>
                ) : (
                  <span class="error">未受領</span>
                )}
              </dd>
              {props.escalation ? (
                <>
                  <dt>呼び出し</dt>
                  <dd>
                    {escalationStatusLabels[props.escalation.status] ?? props.escalation.status}（{props.escalation.round}巡目・第
                    {props.escalation.level + 1}段階 / 全{props.escalation.levels}段階）
                    {props.escalation.status === 'active' && props.escalation.nextAt ? (
                      <div class="muted">次の段階の呼び出し: {formatJstDateTime(props.escalation.nextAt)}（受領されなければ）</div>
                    ) : null}
                  </dd>
                </>
              ) : null}
              {roleRows.map(([key, person, role]) => (
                <>
                  <dt>{incidentRoleLabels[key]}</dt>
                  <dd>{person ? name(person) : role ? `${roleLabels[role]}（未指名）` : '未指名'}</dd>
                </>
              ))}
            </dl>
          </section>

          <section class="card" aria-labelledby="tasks">
            <h2 id="tasks">
              タスク{' '}
              <span class="en">
                未完了 {openTasks.length} / {i.tasks.length}
              </span>
            </h2>
            {i.tasks.length === 0 ? <p class="muted">タスクはありません。</p> : null}
            <ul class="tasks">
              {i.tasks.map((t) => {
                const overdue = t.status === 'open' && t.dueAt !== null && t.dueAt < now;
                return (
                  <li class={`${overdue ? 'overdue' : ''} ${t.status === 'done' ? 'done' : ''}`}>
                    <div class="meta">
                      <span class="badge">{taskStatusLabels[t.status]}</span>
                      <b class="title">{displayText(t.title)}</b>
                    </div>
                    <div class="meta">
                      <span>担当: {t.assigneeId ? name(t.assigneeId) : `${roleLabels[t.ownerRole]}（未指名）`}</span>
                      {t.dueAt ? (
                        <span class="due">
                          期限 {formatJstDateTime(t.dueAt)}
                          {overdue ? '（期限切れ）' : ''}
                        </span>
                      ) : null}
                      {t.doneBy ? <span>完了: {name(t.doneBy)}</span> : null}
                    </div>
                    {v.may('incidents.work') && isOpen ? (
                      <form method="post" action={`${base}/tasks/${t.id}`} class="actions">
                        {csrf}
                        <input type="hidden" name="status" value={t.status === 'open' ? 'done' : 'open'} />
                        <button type="submit" class="secondary">
                          {t.status === 'open' ? '完了にする' : '未完了に戻す'}
                        </button>
                      </form>
                    ) : null}
                  </li>
                );
              })}
            </ul>
          </section>

          {v.may('statements.read') ? (
            <section class="card" aria-labelledby="statements">
              <h2 id="statements">声明文</h2>
              {props.statements.length === 0 ? <p class="muted">まだありません。</p> : null}
              <ul class="rows">
                {props.statements.map((st) => (
                  <li>
                    <div class="meta">
                      <span class="badge">{kindLabels[st.kind]}</span>
                      <span class="badge">{statementStatusLabels[st.status]}</span>
                      <span>
                        第{st.version}版・{formatJstDateTime(st.updatedAt)}
                      </span>
                    </div>
                    <a href={`${base}/statements/${st.id}`}>{displayText(st.title)}</a>
                  </li>
                ))}
              </ul>
              {v.may('statements.write') && i.status !== 'cancelled' ? (
                <form method="post" action={`${base}/statements`} class="field">
                  {csrf}
                  <label for="template">テンプレートから下書きを作る</label>
                  <select id="template" name="template" required>
                    {props.templates.map((t) => (
                      <option value={t.key}>
                        {kindLabels[t.kind]}：{t.label_ja}
                      </option>
                    ))}
                  </select>
                  <p>
                    <button type="submit">下書きを作る</button>
                  </p>
                </form>
              ) : null}
            </section>
          ) : null}

          <section class="card" aria-labelledby="timeline">
            <h2 id="timeline">タイムライン</h2>
            {v.may('incidents.work') ? (
              <form method="post" action={`${base}/notes`} class="field">
                {csrf}
                <label for="note">メモを追加</label>
                <textarea id="note" name="text" required maxlength={4000} />
                <p>
                  <button type="submit">メモを追加</button>
                </p>
              </form>
            ) : null}
            <ol class="timeline" reversed>
              {[...i.timeline].reverse().map((e) => (
                <li>
                  <time datetime={e.at.toISOString()}>{formatJstDateTime(e.at)}</time>
                  <b>{eventKindLabels[e.kind as keyof typeof eventKindLabels] ?? '記録'}</b>
                  {' — '}
                  {actorName(e.actorType, e.actorId, words)}
                  <div class="post">{displayText(describeEvent(e.kind, e.data, words))}</div>
                </li>
              ))}
            </ol>
          </section>
        </div>

        <div class="stack">
          {v.may('incidents.manage') && moves.length > 0 ? (
            <section class="card" aria-labelledby="move">
              <h2 id="move">状態を変える</h2>
              <form method="post" action={`${base}/transition`}>
                {csrf}
                <div class="field">
                  <label for="to">新しい状態</label>
                  <select id="to" name="to" required>
                    {moves.map((to) => (
                      <option value={to}>{moveLabels[to] ?? incidentStatusLabels[to]}</option>
                    ))}
                  </select>
                </div>
                <div class="field">
                  <label for="reason">理由（再開・取り消し・未完了タスクがある解決では必須）</label>
                  <textarea id="reason" name="reason" maxlength={2000} />
                </div>
                {openTasks.length > 0 ? (
                  <div class="field check">
                    <input id="confirm" type="checkbox" name="confirm" value="yes" />
                    <label for="confirm">未完了のタスクが {openTasks.length} 件あることを確認しました（解決・完了するとき）</label>
                  </div>
                ) : null}
                <button type="submit">変更する</button>
              </form>
            </section>
          ) : null}

          {v.may('incidents.manage') && isOpen ? (
            <section class="card" aria-labelledby="sev">
              <h2 id="sev">深刻度を変える</h2>
              <form method="post" action={`${base}/severity`}>
                {csrf}
                <div class="field">
                  <label for="severity">深刻度</label>
                  <select id="severity" name="severity">
                    {[1, 2, 3, 4, 5].map((n) => (
                      <option value={String(n)} selected={n === i.severity}>
                        {severityLabel(n)}
                      </option>
                    ))}
                  </select>
                </div>
                <div class="field">
                  <label for="sev-reason">理由（必須）</label>
                  <textarea id="sev-reason" name="reason" required maxlength={2000} />
                </div>
                <button type="submit">変更する</button>
              </form>
            </section>
          ) : null}

          {v.may('incidents.manage') && isOpen ? (
            <section class="card" aria-labelledby="roles">
              <h2 id="roles">担当を決める</h2>
              <form method="post" action={`${base}/roles`}>
                {csrf}
                {roleRows.map(([key, person]) => (
                  <div class="field">
                    <label for={`role-${key}`}>{incidentRoleLabels[key]}</label>
                    <select id={`role-${key}`} name={key}>
                      <option value="">未指名</option>
                      {props.people.map((p) => (
                        <option value={p.id} selected={p.id === person}>
                          {displayText(p.name)}（{roleLabels[p.role as keyof typeof roleLabels] ?? p.role}）
                        </option>
                      ))}
                    </select>
                  </div>
                ))}
                <button type="submit">保存する</button>
              </form>
            </section>
          ) : null}
        </div>
      </div>
    </Layout>
  );
}

function ackBy(timeline: IncidentDetail['timeline'], name: (id: unknown) => string) {
  const ack = timeline.find((e) => e.kind === 'acknowledged');
  if (!ack) return null;
  return `（${ack.actorType === 'user' ? name(ack.actorId) : name(ack.data.by)}）`;
}
