import type { Queryable } from '../db/connect.ts';
import type { Narrowed, Row } from '../db/schema.ts';
import { NotFoundError } from '../errors.ts';
import type { Channel } from './channels.ts';
import type { OwnIdentifiers, PostFinding, PostImage } from './check-post.ts';
import type { PostStatus } from './lifecycle.ts';

// Reading posts: one row with its approvals of the current version, the versions, the org's rule.

export type PostRow = Narrowed<
  Row<'post_drafts'>,
  { findings: PostFinding[]; images: PostImage[]; attachments: { name: string; mimeType: string; bytes: number }[] }
>;
type ApprovalRow = Narrowed<Row<'post_approvals'>, { overrides: PostOverride[] }>;

export interface PostOverride {
  findingId: string;
  rule: string;
  excerpt: string;
  reason: string;
}

export interface PostView {
  id: string;
  orgId: string;
  channel: Channel;
  text: string;
  images: PostImage[];
  attachments: { name: string; mimeType: string; bytes: number }[];
  plannedAt: Date | null;
  status: PostStatus;
  version: number;
  authorId: string;
  findings: PostFinding[];
  rulesVersion: string;
  checkedAt: Date;
  /** Approvals of the current version (earlier versions' approvals no longer count). */
  approvals: { reviewerId: string; approvedAt: Date; overrides: PostOverride[] }[];
  reviewersRequired: number;
  publishedAt: Date | null;
  publishedUrl: string | null;
  /** The post's id on its platform: what its replies and quotes name. */
  publishedExternalId: string | null;
  /** The clinic's own post as collected, once it appeared (its replies are watched from then). */
  linkedMentionId: string | null;
  withdrawnAt: Date | null;
  withdrawReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export function postView(row: PostRow, approvals: ApprovalRow[], reviewersRequired: number): PostView {
  return {
    id: row.id,
    orgId: row.org_id,
    channel: row.channel as Channel,
    text: row.text,
    images: row.images,
    attachments: row.attachments,
    plannedAt: row.planned_at,
    status: row.status as PostStatus,
    version: row.version,
    authorId: row.author_id,
    findings: row.findings,
    rulesVersion: row.rules_version,
    checkedAt: row.checked_at,
    approvals: approvals
      .filter((a) => a.version === row.version)
      .map((a) => ({ reviewerId: a.reviewer_id, approvedAt: a.approved_at, overrides: a.overrides })),
    reviewersRequired,
    publishedAt: row.published_at,
    publishedUrl: row.published_url,
    publishedExternalId: row.published_external_id,
    linkedMentionId: row.mention_id,
    withdrawnAt: row.withdrawn_at,
    withdrawReason: row.withdraw_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** How many colleagues approve a post, and what the institution publishes about itself (allowed in its posts). */
export interface ReviewSettings {
  reviewersRequired: number;
  own: { phones: string[]; addresses: string[]; names: string[] };
}

/** The organisation's review rule and its published identifiers, every list present. */
export async function reviewSettingsOf(sql: Queryable, orgId: string): Promise<ReviewSettings> {
  const [org] = await sql<{ post_reviewers_required: number; published_identifiers: OwnIdentifiers }[]>`
    select post_reviewers_required, published_identifiers from organizations where id = ${orgId}`;
  if (!org) throw new NotFoundError('organization');
  const own = org.published_identifiers;
  return {
    reviewersRequired: org.post_reviewers_required,
    own: { phones: [...(own.phones ?? [])], addresses: [...(own.addresses ?? [])], names: [...(own.names ?? [])] },
  };
}

export async function findPost(sql: Queryable, orgId: string, postId: string, forUpdate = false): Promise<PostRow> {
  const [row] = await sql<PostRow[]>`
    select * from post_drafts where org_id = ${orgId} and id = ${postId} ${forUpdate ? sql`for update` : sql``}`;
  if (!row) throw new NotFoundError('post');
  return row;
}

export async function approvalsOf(sql: Queryable, orgId: string, postId: string, version: number): Promise<ApprovalRow[]> {
  return sql<ApprovalRow[]>`
    select * from post_approvals where org_id = ${orgId} and post_id = ${postId} and version = ${version} order by approved_at`;
}

export async function getPost(
  sql: Queryable,
  orgId: string,
  postId: string,
): Promise<PostView & { versions: Row<'post_draft_versions'>[]; reactions: OwnPostReactions | null }> {
  const row = await findPost(sql, orgId, postId);
  const { reviewersRequired } = await reviewSettingsOf(sql, orgId);
  const versions = await sql<Row<'post_draft_versions'>[]>`
    select * from post_draft_versions where org_id = ${orgId} and post_id = ${postId} order by version`;
  const reactions = row.status === 'published' ? await ownPostReactions(sql, orgId, row) : null;
  return { ...postView(row, await approvalsOf(sql, orgId, postId, row.version), reviewersRequired), versions, reactions };
}

export async function listPosts(sql: Queryable, orgId: string, q: { status?: PostStatus; limit?: number }): Promise<PostView[]> {
  const { reviewersRequired } = await reviewSettingsOf(sql, orgId);
  const rows = await sql<PostRow[]>`
    select * from post_drafts where org_id = ${orgId} ${q.status ? sql`and status = ${q.status}` : sql``}
    order by updated_at desc, id desc limit ${Math.min(200, q.limit ?? 50)}`;
  if (rows.length === 0) return [];
  const approvals = await sql<ApprovalRow[]>`
    select a.* from post_approvals a join post_drafts p on p.org_id = a.org_id and p.id = a.post_id and p.version = a.version
    where a.org_id = ${orgId} and a.post_id = any(${rows.map((r) => r.id)}::bigint[])`;
  return rows.map((r) =>
    postView(
      r,
      approvals.filter((a) => a.post_id === r.id),
      reviewersRequired,
    ),
  );
}

export interface OwnPostReactions {
  /** The collected copy, once it appeared. */
  copy: { mentionId: string; url: string | null; postedAt: Date; linkedAt: Date } | null;
  replies: number;
  quotes: number;
  /** Replies and quotes that are negative, or neutral but passing on a report of trouble. */
  negative: number;
  lastAt: Date | null;
}

/**
 * Replies and quotes a published post has drawn. On the platform of its collected copy when there
 * is one (ids are only unique within a platform); before that, on every source of the clinic.
 */
export async function ownPostReactions(sql: Queryable, orgId: string, row: PostRow): Promise<OwnPostReactions> {
  const copy = row.mention_id
    ? ((
        await sql<{ id: string; url: string | null; posted_at: Date; source_type: string }[]>`
          select m.id, m.url, m.posted_at, s.type as source_type
          from mentions m join sources s on s.org_id = m.org_id and s.id = m.source_id
          where m.org_id = ${orgId} and m.id = ${row.mention_id}`
      )[0] ?? null)
    : null;
  const base = {
    copy: copy && row.linked_at ? { mentionId: copy.id, url: copy.url, postedAt: copy.posted_at, linkedAt: row.linked_at } : null,
  };
  if (row.published_external_id === null) return { ...base, replies: 0, quotes: 0, negative: 0, lastAt: null };
  // source_id = any(…) lets the (org, source, reply_to / quote_of) indexes answer.
  const [counts] = await sql<{ replies: number; quotes: number; negative: number; last_at: Date | null }[]>`
    select count(*) filter (where m.reply_to_external_id = ${row.published_external_id})::int as replies,
      count(*) filter (where m.quote_of_external_id = ${row.published_external_id})::int as quotes,
      count(*) filter (where ${negativeEvidence(sql)})::int as negative,
      max(m.posted_at) as last_at
    from mentions m
    where m.org_id = ${orgId} and m.deleted_at is null
      and m.source_id = any(select id from sources where org_id = ${orgId} ${copy ? sql`and type = ${copy.source_type}` : sql``})
      and (m.reply_to_external_id = ${row.published_external_id} or m.quote_of_external_id = ${row.published_external_id})
      ${copy ? sql`and m.id <> ${copy.id}` : sql``}`;
  return { ...base, replies: counts!.replies, quotes: counts!.quotes, negative: counts!.negative, lastAt: counts!.last_at };
}

/**
 * What the episode-kind test counts as negative evidence (src/detection/episode-kind.ts): a
 * negative post, or a neutral one passing on a report of trouble. A fragment over `m`.
 */
export function negativeEvidence(sql: Queryable) {
  return sql`(m.sentiment_label = 'negative' or (m.sentiment_label = 'neutral' and coalesce((m.analysis ->> 'sharesReport')::boolean, false)))`;
}
