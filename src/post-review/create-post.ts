import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { asJson } from '../db/connect.ts';
import { actorKey, findingsSummary } from '../statements/queries.ts';
import type { Channel } from './channels.ts';
import type { PostImage } from './check-post.ts';
import { approvalsOf, postView, reviewSettingsOf, type PostRow, type PostView } from './queries.ts';
import { runPostCheck } from './run-check.ts';

export interface PostContent {
  channel: Channel;
  text: string;
  images?: PostImage[];
  attachments?: { name: string; mimeType: string; bytes: number }[];
  plannedAt?: Date | null;
}

/** A new draft of the clinic's own post, checked at once; the author is the actor, version 1 is kept. */
export async function createPost(ctx: AppContext, orgId: string, input: PostContent, actor: AuditActor): Promise<PostView> {
  const now = ctx.now();
  const { reviewersRequired, own } = await reviewSettingsOf(ctx.sql, orgId);
  const images = input.images ?? [];
  const { findings, rulesVersion } = await runPostCheck({ channel: input.channel, text: input.text, images }, own);
  const author = actorKey(actor);
  return ctx.sql.begin(async (tx) => {
    await lockAuditChain(tx, orgId);
    const [row] = await tx<PostRow[]>`
      insert into post_drafts (org_id, channel, text, images, attachments, planned_at, status, version, author_id, findings, rules_version,
        checked_at, created_at, updated_at)
      values (${orgId}, ${input.channel}, ${input.text}, ${tx.json(asJson(images))}, ${tx.json(asJson(input.attachments ?? []))},
        ${input.plannedAt ?? null}, 'draft', 1, ${author}, ${tx.json(asJson(findings))}, ${rulesVersion}, ${now}, ${now}, ${now})
      returning *`;
    await tx`
      insert into post_draft_versions (org_id, post_id, version, text, images, edited_by, edited_at)
      values (${orgId}, ${row!.id}, 1, ${input.text}, ${tx.json(asJson(images))}, ${author}, ${now})`;
    await recordAudit(
      tx,
      actor,
      {
        orgId,
        action: 'post.create',
        targetType: 'post',
        targetId: row!.id,
        after: { channel: input.channel, version: 1, ...findingsSummary(findings) },
      },
      now,
    );
    return postView(row!, await approvalsOf(tx, orgId, row!.id, 1), reviewersRequired);
  }) as Promise<PostView>;
}
