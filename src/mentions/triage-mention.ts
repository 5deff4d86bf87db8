import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import type { Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { TriageStatus } from './queries.ts';

/** Who is working on the post: the person (for updated_by) and whether they may see private messages. */
export interface TriageBy {
  userId: string;
  includePrivate: boolean;
}

/** The post, locked for this transaction; a private message is not there for someone who may not read it. */
export async function lockTriagedMention(tx: Tx, orgId: string, mentionId: string, by: TriageBy): Promise<{ postedAt: Date }> {
  const [m] = await tx<Pick<Row<'mentions'>, 'is_private' | 'posted_at'>[]>`
    select is_private, posted_at from mentions where org_id = ${orgId} and id = ${mentionId} for share`;
  if (!m || (m.is_private && !by.includePrivate)) throw new NotFoundError('投稿が見つかりません (mention not found)');
  return { postedAt: m.posted_at };
}

export interface TriageChange {
  status?: TriageStatus;
  /** null: nobody. */
  assigneeId?: string | null;
  /** When the clinic replied outside the platforms we read; null clears it. */
  repliedAt?: Date | null;
}

/** Marks a post handled / needing a reply / not needing anything, assigns it, records a reply. */
export async function triageMention(
  ctx: Pick<AppContext, 'sql' | 'now'>,
  orgId: string,
  mentionId: string,
  change: TriageChange,
  by: TriageBy,
  actor: AuditActor,
): Promise<void> {
  if (change.status === undefined && change.assigneeId === undefined && change.repliedAt === undefined) {
    throw new ValidationError('変更する項目がありません (nothing to change)');
  }
  const now = ctx.now();
  if (change.repliedAt && change.repliedAt.getTime() > now.getTime() + 60_000) {
    throw new ValidationError('返信日時が未来です (the reply time is in the future)');
  }
  await ctx.sql.begin(async (tx) => {
    await lockAuditChain(tx, orgId);
    const { postedAt } = await lockTriagedMention(tx, orgId, mentionId, by);
    if (change.assigneeId) {
      const [user] = await tx`select 1 from users where org_id = ${orgId} and id = ${change.assigneeId} and disabled_at is null`;
      if (!user) throw new ValidationError('担当者が見つかりません (no such active user in this organization)');
    }
    const [before] = await tx<Pick<Row<'mention_triage'>, 'status' | 'assignee_id' | 'replied_at'>[]>`
      select status, assignee_id, replied_at from mention_triage where org_id = ${orgId} and mention_id = ${mentionId} for update`;
    const after = {
      status: change.status ?? before?.status ?? 'open',
      assignee_id: change.assigneeId === undefined ? (before?.assignee_id ?? null) : change.assigneeId,
      replied_at: change.repliedAt === undefined ? (before?.replied_at ?? null) : change.repliedAt,
    };
    await tx`
      insert into mention_triage (org_id, mention_id, status, posted_at, assignee_id, replied_at, updated_by, updated_at)
      values (${orgId}, ${mentionId}, ${after.status}, ${postedAt}, ${after.assignee_id}, ${after.replied_at}, ${by.userId}, ${now})
      on conflict (org_id, mention_id) do update set
        status = excluded.status, assignee_id = excluded.assignee_id, replied_at = excluded.replied_at,
        updated_by = excluded.updated_by, updated_at = excluded.updated_at`;
    await recordAudit(tx, actor, {
      orgId,
      action: 'mention.triage',
      targetType: 'mention',
      targetId: mentionId,
      before: before ? { status: before.status, assigneeId: before.assignee_id, repliedAt: before.replied_at } : { status: 'open' },
      after: { status: after.status, assigneeId: after.assignee_id, repliedAt: after.replied_at },
    });
  });
}
