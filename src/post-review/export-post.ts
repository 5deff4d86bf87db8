import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { ConflictError } from '../errors.ts';
import { exportForChannel, type ChannelExport } from './channel-export.ts';
import type { Channel } from './channels.ts';
import { postStatusLabels, type PostStatus } from './lifecycle.ts';
import { findPost } from './queries.ts';

/** Statuses whose text has been approved: only these leave Hinoko for a channel. */
const exportable: readonly PostStatus[] = ['approved', 'scheduled', 'published'];

/**
 * The approved version in its channel's format (channel-export.ts), audited: who took which
 * version out of Hinoko, so a post that went out can be traced to its approvals.
 */
export async function exportPost(
  ctx: AppContext,
  orgId: string,
  postId: string,
  actor: AuditActor,
): Promise<ChannelExport & { postId: string; version: number }> {
  const now = ctx.now();
  return ctx.sql.begin(async (tx) => {
    await lockAuditChain(tx, orgId);
    const row = await findPost(tx, orgId, postId);
    const status = row.status as PostStatus;
    if (!exportable.includes(status)) {
      throw new ConflictError(
        `${postStatusLabels[status]}の投稿は書き出せません。承認後に書き出してください (only approved posts can be exported)`,
      );
    }
    const out = exportForChannel(row.channel as Channel, row.text, row.images);
    await recordAudit(
      tx,
      actor,
      { orgId, action: 'post.export', targetType: 'post', targetId: postId, after: { version: row.version, channel: row.channel, status } },
      now,
    );
    return { postId, version: row.version, ...out };
  }) as Promise<ChannelExport & { postId: string; version: number }>;
}
