import type { Tx } from '../db/connect.ts';
import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { ConflictError } from '../errors.ts';
import { mayMove, postMoveLabels, postStatusLabels, type PostMove, type PostStatus } from './lifecycle.ts';
import { approvalsOf, findPost, postView, reviewSettingsOf, type PostRow, type PostView } from './queries.ts';

// The shape every status move shares: lock the row, check the move is allowed from its status
// and that the caller read the current version, change it, write the audit row — one transaction.
// The verbs (submit-post.ts, schedule-post.ts, …) say what changes and what is audited.

export async function applyMove(
  ctx: AppContext,
  orgId: string,
  postId: string,
  move: PostMove,
  version: number,
  actor: AuditActor,
  change: (tx: Tx, row: PostRow) => Promise<{ row: PostRow; audit: Record<string, unknown> }>,
): Promise<PostView> {
  const now = ctx.now();
  const { reviewersRequired } = await reviewSettingsOf(ctx.sql, orgId);
  return ctx.sql.begin(async (tx) => {
    await lockAuditChain(tx, orgId);
    const row = await findPost(tx, orgId, postId, true);
    const status = row.status as PostStatus;
    if (!mayMove(status, move)) {
      throw new ConflictError(`${postStatusLabels[status]}の投稿は「${postMoveLabels[move]}」できません (cannot ${move} a ${status} post)`);
    }
    if (row.version !== version) {
      throw new ConflictError(`確認した版 (${version}) は現在の版 (${row.version}) ではありません (the post is at version ${row.version})`);
    }
    const { row: next, audit } = await change(tx, row);
    await recordAudit(
      tx,
      actor,
      {
        orgId,
        action: `post.${move}`,
        targetType: 'post',
        targetId: postId,
        before: { status, version },
        after: { status: next.status, ...audit },
      },
      now,
    );
    return postView(next, await approvalsOf(tx, orgId, postId, next.version), reviewersRequired);
  }) as Promise<PostView>;
}
