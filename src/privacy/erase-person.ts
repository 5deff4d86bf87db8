import { createHash } from 'node:crypto';
import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';

// Erasure of one person's posts on their request (個人情報保護法 35条): found by the account that
// wrote them — a handle (with or without @, any case) or the platform's author id — across every
// source of the organisation. Each post keeps its row (bucket counts, alert history and detection
// state were computed from it and hold nothing personal) but loses its text, author, address, raw
// payload, analysis words and personal-data spans, earlier versions and staff notes; alert samples
// that quoted it are blanked, and the platform activities of that account go. Posts an open
// incident cites — or one whose post-mortem is not approved yet — are kept as evidence and
// reported, to be erased once it closes. One transaction and one audit row, which names the
// request by a hash (the handle itself is personal data) and carries the report.

export interface ErasureRequest {
  /** @handle as shown on the platform. */
  authorHandle?: string;
  /** The platform's id for the account. */
  authorId?: string;
  /** Count what would be erased, change nothing. */
  dryRun?: boolean;
}

export interface ErasureReport {
  mentions: number;
  versions: number;
  notes: number;
  activities: number;
  alertSamples: number;
  /** Kept as evidence, with why. */
  retained: { mentionId: string; incidentId: string; reason: 'open_incident' | 'postmortem_not_approved' }[];
  dryRun: boolean;
}

/** The text a post keeps once erased. */
export const erasedText = '（本人の求めにより消去しました）';

export function requestDigest(r: ErasureRequest): string {
  return createHash('sha256')
    .update(`handle:${normalisedHandle(r.authorHandle) ?? ''}\nid:${r.authorId ?? ''}`)
    .digest('hex')
    .slice(0, 16);
}

function normalisedHandle(h: string | undefined): string | null {
  const v = h?.trim().replace(/^@/, '').toLowerCase();
  return v ? v : null;
}

export async function erasePerson(ctx: AppContext, orgId: string, request: ErasureRequest, actor: AuditActor): Promise<ErasureReport> {
  const handle = normalisedHandle(request.authorHandle);
  const authorId = request.authorId?.trim() || null;
  const now = ctx.now();
  return ctx.sql.begin(async (tx) => {
    await lockAuditChain(tx, orgId);
    const posts = await tx<{ id: string; retained_by: string | null; reason: ErasureReport['retained'][number]['reason'] | null }[]>`
      with person as (
        select m.id from mentions m
        where m.org_id = ${orgId} and m.erased_at is null
          and (${handle}::text is not null and lower(ltrim(m.author_handle, '@')) = ${handle}
            or ${authorId}::text is not null and m.author_id = ${authorId})
      )
      select p.id, c.incident_id::text as retained_by, c.reason
      from person p left join hinoko_cited_mentions(${orgId}) c on c.mention_id = p.id`;
    const erase = posts.filter((p) => p.retained_by === null).map((p) => p.id);
    const report: ErasureReport = {
      mentions: erase.length,
      versions: 0,
      notes: 0,
      activities: 0,
      alertSamples: 0,
      retained: posts
        .filter((p) => p.retained_by !== null)
        .map((p) => ({ mentionId: p.id, incidentId: p.retained_by!, reason: p.reason! })),
      dryRun: request.dryRun === true,
    };
    const count = async (rows: PromiseLike<{ n: number }[]>) => (await rows)[0]?.n ?? 0;
    report.versions = await count(
      tx`select count(*)::int as n from mention_versions where org_id = ${orgId} and mention_id = any(${erase}::bigint[])`,
    );
    report.notes = await count(
      tx`select count(*)::int as n from mention_notes where org_id = ${orgId} and mention_id = any(${erase}::bigint[])`,
    );
    report.activities = authorId
      ? await count(tx`select count(*)::int as n from source_activities where org_id = ${orgId} and actor_id = ${authorId}`)
      : 0;
    const quoting = await tx<{ id: string }[]>`
      select a.id from alerts a
      where a.org_id = ${orgId}
        and exists (select 1 from jsonb_array_elements(coalesce(a.explanation -> 'samples', '[]'::jsonb)) s where (s ->> 'id') = any(${erase}::text[]))`;
    report.alertSamples = quoting.length;
    if (!report.dryRun && erase.length + report.activities > 0) {
      await tx`
        update mentions set text = ${erasedText}, author_id = null, author_handle = null, author_name = null, url = null,
          raw = '{}'::jsonb, search = ''::tsvector,
          analysis = case when analysis is null then null else analysis - 'terms' - 'pii' || '{"terms": [], "pii": []}'::jsonb end,
          erased_at = ${now}, updated_at = ${now}
        where org_id = ${orgId} and id = any(${erase}::bigint[])`;
      await tx`delete from mention_versions where org_id = ${orgId} and mention_id = any(${erase}::bigint[])`;
      await tx`update mention_tombstones set raw = null where org_id = ${orgId} and mention_id = any(${erase}::bigint[])`;
      await tx`delete from mention_notes where org_id = ${orgId} and mention_id = any(${erase}::bigint[])`;
      if (authorId) await tx`delete from source_activities where org_id = ${orgId} and actor_id = ${authorId}`;
      await tx`
        update alerts a set explanation = jsonb_set(a.explanation, '{samples}', (
          select coalesce(jsonb_agg(case when (s ->> 'id') = any(${erase}::text[]) then s || ${tx.json({ text: erasedText })} else s end), '[]'::jsonb)
          from jsonb_array_elements(a.explanation -> 'samples') s))
        where a.org_id = ${orgId} and a.id = any(${quoting.map((r) => r.id)}::bigint[])`;
    }
    await recordAudit(
      tx,
      actor,
      {
        orgId,
        action: report.dryRun ? 'privacy.erase_preview' : 'privacy.erase',
        targetType: 'person',
        targetId: requestDigest(request),
        after: { ...report, retained: report.retained.length, retainedBy: [...new Set(report.retained.map((r) => r.incidentId))] },
      },
      now,
    );
    return report;
  });
}
