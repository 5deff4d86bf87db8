import { headerSafe } from '../notify/compose-alert-mail.ts';
import { escapeHtml, formatJst } from '../display.ts';
import { enqueueIncidentMails, type IncidentMailConfig } from '../notify/enqueue-incident-mails.ts';
import { lockAuditChain, recordAudit, systemActor } from '../audit/record.ts';
import type { Sql, Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import type { Recipient } from '../notify/recipients.ts';
import { oncallUser } from './policy.ts';
import { appendEvent } from '../incident-record/incident.ts';

// Overdue incident tasks mail their owner once: the assignee, or (none, or disabled) every active
// user with the task's owner role. overdue_notified_at is set in the same transaction that queues
// the mail, conditionally, so a task is mailed once across sweeps and instances.

/** Open tasks past due, of incidents still being worked on, not yet notified (not locked). */
export async function overdueTasks(sql: Sql, now: Date, limit = 50): Promise<{ org_id: string; id: string }[]> {
  return sql<Pick<Row<'incident_tasks'>, 'org_id' | 'id'>[]>`
    select t.org_id, t.id from incident_tasks t join incidents i on i.org_id = t.org_id and i.id = t.incident_id
    where t.status = 'open' and t.due_at <= ${now} and t.overdue_notified_at is null and i.status in ('triage', 'active', 'stable')
    order by t.due_at limit ${limit}`;
}

export async function notifyOverdueTask(tx: Tx, cfg: IncidentMailConfig, orgId: string, taskId: string): Promise<string[]> {
  await lockAuditChain(tx, orgId);
  const [task] = await tx<
    (Pick<Row<'incident_tasks'>, 'id' | 'incident_id' | 'title' | 'owner_role' | 'due_at' | 'assignee_id'> & {
      incident_title: Row<'incidents'>['title'];
      severity: Row<'incidents'>['severity'];
    })[]
  >`
    update incident_tasks t set overdue_notified_at = ${cfg.now}
    from incidents i
    where t.org_id = ${orgId} and t.id = ${taskId} and t.status = 'open' and t.overdue_notified_at is null and t.due_at <= ${cfg.now}
      and i.org_id = t.org_id and i.id = t.incident_id
    returning t.id, t.incident_id, t.title, t.owner_role, t.due_at, t.assignee_id, i.title as incident_title, i.severity`;
  if (!task) return [];
  let recipients: Recipient[] = [];
  if (task.assignee_id) {
    recipients = (
      await tx<Pick<Row<'users'>, 'id' | 'email'>[]>`
      select id, email from users where org_id = ${orgId} and id = ${task.assignee_id} and disabled_at is null`
    ).map((u) => ({ address: u.email, userId: u.id }));
  }
  if (recipients.length === 0) {
    recipients = (
      await tx<Pick<Row<'users'>, 'id' | 'email'>[]>`
      select id, email from users where org_id = ${orgId} and role = ${task.owner_role} and disabled_at is null order by id limit 20`
    ).map((u) => ({ address: u.email, userId: u.id }));
  }
  const base = cfg.publicUrl.replace(/\/+$/, '');
  const link = `${base}/?org=${encodeURIComponent(orgId)}`;
  const subject = `【火の粉・深刻度${task.severity} 期限超過】` + headerSafe(`${task.title}（${task.incident_title}）`, 150);
  const to = await enqueueIncidentMails(tx, cfg, {
    severity: null,
    orgId,
    incidentId: task.incident_id,
    recipients,
    dedupePrefix: `task-overdue:${task.id}`,
    withAck: false,
    purpose: { purpose: 'task_overdue', taskId: task.id },
    compose: () => ({
      subject,
      text: [
        'インシデント対応のタスクが期限を過ぎています。',
        '',
        `タスク: ${task.title}`,
        `インシデント: ${task.incident_title}`,
        `期限: ${formatJst(task.due_at)}`,
        '',
        `ダッシュボード: ${link}`,
        '',
        '--',
        '火の粉 (Hinoko) 自動送信です。An incident task is overdue.',
        '',
      ].join('\n'),
      html: `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>
<p><strong>インシデント対応のタスクが期限を過ぎています。</strong></p>
<table cellpadding="4"><tr><th align="left">タスク</th><td>${escapeHtml(task.title)}</td></tr>
<tr><th align="left">インシデント</th><td>${escapeHtml(task.incident_title)}</td></tr>
<tr><th align="left">期限</th><td>${escapeHtml(formatJst(task.due_at))}</td></tr></table>
<p><a href="${escapeHtml(link)}">ダッシュボードを開く</a></p><hr><p style="color:#666">火の粉 (Hinoko) 自動送信です。An incident task is overdue.</p></body></html>
`,
    }),
  });
  await appendEvent(tx, {
    orgId,
    incidentId: task.incident_id,
    at: cfg.now,
    kind: 'task_overdue',
    actor: systemActor,
    data: { taskId: task.id, title: task.title, dueAt: task.due_at, to },
  });
  await recordAudit(
    tx,
    systemActor,
    { orgId, action: 'incident.task_overdue', targetType: 'incident_task', targetId: task.id, after: { to } },
    cfg.now,
  );
  return to;
}

/**
 * Tasks for the on-call manager go to whoever is on call when they are created: the first
 * schedule's on-call user (by id), if any. Called where tasks are instantiated.
 */
export async function assignOncallTasks(tx: Tx, orgId: string, incidentId: string, at: Date): Promise<void> {
  const [schedule] = await tx<
    Pick<Row<'oncall_schedules'>, 'id'>[]
  >`select id from oncall_schedules where org_id = ${orgId} order by id limit 1`;
  if (!schedule) return;
  const user = await oncallUser(tx, orgId, schedule.id, at);
  if (!user) return;
  await tx`update incident_tasks set assignee_id = ${user.id}
    where org_id = ${orgId} and incident_id = ${incidentId} and owner_role = 'oncall_manager' and assignee_id is null and status = 'open'`;
}
