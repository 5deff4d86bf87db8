import type { EmergingTerm } from '../analysis/index.ts';
import { recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { emergingTerms, type EmergingTermsQuery } from './emerging-terms.ts';

/**
 * Emerging terms as a person sees them. Terms of private messages count only for a caller who may
 * see personal data (`includePrivate`, the edge's to decide), and then that view is on record.
 */
export async function viewEmergingTerms(
  ctx: Pick<AppContext, 'sql'>,
  actor: AuditActor,
  q: EmergingTermsQuery,
): Promise<{ items: EmergingTerm[]; baselineWindows: number }> {
  const { privateMessages, ...result } = await emergingTerms(ctx.sql, q);
  if (privateMessages > 0) {
    await ctx.sql.begin((tx) =>
      recordAudit(tx, actor, {
        orgId: q.orgId,
        action: 'mention.view_private_terms',
        targetType: 'organization',
        targetId: q.orgId,
        after: { from: q.from.toISOString(), to: q.to.toISOString(), watchTargetId: q.watchTargetId ?? null, privateMessages },
      }),
    );
  }
  return result;
}
