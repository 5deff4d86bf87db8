import type { Role } from '../access/permissions.ts';
import type { AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { asJson } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { ApprovalRefusedError } from '../statements/approve-statement.ts';
import { actorKey, findingsSummary } from '../statements/queries.ts';
import { applyMove } from './apply-move.ts';
import type { Channel } from './channels.ts';
import { approvalsOf, findPost, reviewSettingsOf, type PostOverride, type PostRow, type PostView } from './queries.ts';
import { runPostCheck } from './run-check.ts';

/** Roles that may publish over a blocking finding, with a reason. */
const overridingRoles: readonly Role[] = ['oncall_manager', 'director', 'admin'];

export interface ApprovePostInput {
  /** The version the reviewer read: approval is of that exact text. */
  version: number;
  /** One per blocking finding, each with the reason it may go out anyway. */
  overrides: { findingId: string; reason: string }[];
}

/**
 * One reviewer's approval of the version they read. Never the author nor anyone who edited it; the
 * checker runs again on that text: a finding that can never be overridden refuses the approval,
 * every other blocking finding needs an override with a reason from a manager. When the version
 * has as many approvals as the organisation requires (default 2), the post is 承認済み.
 */
export async function approvePost(
  ctx: AppContext,
  orgId: string,
  postId: string,
  input: ApprovePostInput,
  actor: AuditActor,
  role: Role,
): Promise<PostView> {
  if (actor.type !== 'user' || !actor.id)
    throw new ApprovalRefusedError('承認はログインした利用者のみが行えます (only a logged-in user can approve)');
  const reviewer = actorKey(actor);
  const { reviewersRequired, own } = await reviewSettingsOf(ctx.sql, orgId);
  // The checker runs before the transaction (tokenising holds no lock); applyMove refuses unless the
  // post is still at the version read, so these findings are of the text being approved.
  const read = await findPost(ctx.sql, orgId, postId);
  const { findings } =
    read.version === input.version
      ? await runPostCheck({ channel: read.channel as Channel, text: read.text, images: read.images }, own)
      : { findings: [] };
  return applyMove(ctx, orgId, postId, 'approve', input.version, actor, async (tx, row) => {
    const writers = await tx<Pick<Row<'post_draft_versions'>, 'edited_by'>[]>`
      select distinct edited_by from post_draft_versions where org_id = ${orgId} and post_id = ${postId}`;
    if (row.author_id === reviewer || writers.some((w) => w.edited_by === reviewer)) {
      throw new ApprovalRefusedError('作成・編集した人は承認できません。別の人が確認してください (the author or an editor cannot approve)');
    }
    const already = await approvalsOf(tx, orgId, postId, row.version);
    if (already.some((a) => a.reviewer_id === reviewer))
      throw new ConflictError('この版はすでに承認しています (you already approved this version)');

    const blocking = findings.filter((f) => f.severity === 'block');
    const never = blocking.filter((f) => !f.overridable);
    if (never.length > 0) {
      throw new ConflictError(
        `承認できない指摘があります。修正してください (findings that can never be overridden): ${never.map((f) => `${f.category}「${f.excerpt}」`).join('、')}`,
      );
    }
    const byId = new Map(input.overrides.map((o) => [o.findingId, o.reason]));
    const unknown = [...byId.keys()].filter((id) => !blocking.some((f) => f.id === id));
    if (unknown.length > 0)
      throw new ValidationError(`overrides name findings that are not blocking findings of this text: ${unknown.join(', ')}`);
    const missing = blocking.filter((f) => !byId.has(f.id));
    if (missing.length > 0) {
      throw new ValidationError(
        `公開不可の指摘が残っています。修正するか、指摘ごとに理由を付けて承認してください (blocking findings need an override with a reason)`,
        { findings: missing },
      );
    }
    if (blocking.length > 0 && !overridingRoles.includes(role)) {
      throw new ApprovalRefusedError(
        '公開不可の指摘を理由付きで承認できるのは当番責任者・院長・管理者です (only a manager may override a blocking finding)',
      );
    }
    const overrides: PostOverride[] = blocking.map((f) => ({ findingId: f.id, rule: f.rule, excerpt: f.excerpt, reason: byId.get(f.id)! }));
    const now = ctx.now();
    await tx`
      insert into post_approvals (org_id, post_id, version, reviewer_id, overrides, approved_at)
      values (${orgId}, ${postId}, ${row.version}, ${reviewer}, ${tx.json(asJson(overrides))}, ${now})`;
    const count = already.length + 1;
    const [next] = await tx<PostRow[]>`
      update post_drafts set status = ${count >= reviewersRequired ? 'approved' : 'in_review'}, findings = ${tx.json(asJson(findings))},
        checked_at = ${now}, updated_at = ${now}
      where org_id = ${orgId} and id = ${postId} returning *`;
    return {
      row: next!,
      audit: {
        version: row.version,
        approvals: count,
        required: reviewersRequired,
        overrides: overrides.map((o) => ({ rule: o.rule, reason: o.reason })),
        ...findingsSummary(findings),
      },
    };
  });
}
