import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { asJson } from '../db/connect.ts';
import { ConflictError } from '../errors.ts';
import { actorKey, findingsSummary } from '../statements/queries.ts';
import type { PostContent } from './create-post.ts';
import { mayMove, postStatusLabels, type PostStatus } from './lifecycle.ts';
import { approvalsOf, findPost, postView, reviewSettingsOf, type PostRow, type PostView } from './queries.ts';
import { runPostCheck } from './run-check.ts';

/**
 * A new version of the text, images or plan. Allowed until published; the version named must be
 * the current one (no lost update). An approved or scheduled post goes back to 確認中: its
 * approvals were of the old text and no longer count (they stay recorded against that version).
 */
export async function editPost(
  ctx: AppContext,
  orgId: string,
  postId: string,
  input: Partial<PostContent> & { version: number },
  actor: AuditActor,
): Promise<PostView> {
  const now = ctx.now();
  const { reviewersRequired, own } = await reviewSettingsOf(ctx.sql, orgId);
  const read = await findPost(ctx.sql, orgId, postId);
  const channel = input.channel ?? (read.channel as PostContent['channel']);
  const text = input.text ?? read.text;
  const images = input.images ?? read.images;
  const { findings, rulesVersion } = await runPostCheck({ channel, text, images }, own);
  const editor = actorKey(actor);
  return ctx.sql.begin(async (tx) => {
    await lockAuditChain(tx, orgId);
    const row = await findPost(tx, orgId, postId, true);
    const status = row.status as PostStatus;
    if (!mayMove(status, 'edit'))
      throw new ConflictError(`${postStatusLabels[status]}の投稿は編集できません (a ${status} post cannot be edited)`);
    if (row.version !== input.version) {
      throw new ConflictError(
        `編集した版 (${input.version}) は現在の版 (${row.version}) ではありません (the post is at version ${row.version})`,
      );
    }
    const reset = status === 'approved' || status === 'scheduled';
    const before = await approvalsOf(tx, orgId, postId, row.version);
    const version = row.version + 1;
    const [next] = await tx<PostRow[]>`
      update post_drafts set channel = ${channel}, text = ${text}, images = ${tx.json(asJson(images))},
        attachments = ${tx.json(asJson(input.attachments ?? row.attachments))},
        planned_at = ${input.plannedAt === undefined ? row.planned_at : input.plannedAt},
        status = ${reset ? 'in_review' : status}, version = ${version}, findings = ${tx.json(asJson(findings))},
        rules_version = ${rulesVersion}, checked_at = ${now}, updated_at = ${now}
      where org_id = ${orgId} and id = ${postId}
      returning *`;
    await tx`
      insert into post_draft_versions (org_id, post_id, version, text, images, edited_by, edited_at)
      values (${orgId}, ${postId}, ${version}, ${text}, ${tx.json(asJson(images))}, ${editor}, ${now})`;
    await recordAudit(
      tx,
      actor,
      {
        orgId,
        action: 'post.edit',
        targetType: 'post',
        targetId: postId,
        before: { version: row.version, status },
        after: { version, status: next!.status, approvalsReset: before.length, ...findingsSummary(findings) },
      },
      now,
    );
    return postView(next!, [], reviewersRequired);
  }) as Promise<PostView>;
}
