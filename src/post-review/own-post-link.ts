import type { Queryable, Tx } from '../db/connect.ts';
import { negativeEvidence, type PostRow } from './queries.ts';

// A published post and the clinic's own post as collected (issue 17 item 5). The link is made
// from whichever side arrives second: here when the post is marked published (or its address is
// given later) after the collector stored it, in src/ingest/own-posts.ts when the collector stores
// it afterwards. Either way the match is the post's id on its platform or its address compared by
// hinoko_url_key() (sql/029), and replies and quotes are then counted on the platform the copy
// came from.

/** How far back a published post's collected copy is looked for (a post marked published late). */
const LINK_LOOKBACK_MS = 30 * 86_400_000;

/** Links a published post to its collected copy if the collector stored it already. */
export async function linkCollectedCopy(tx: Tx, orgId: string, row: PostRow, now: Date): Promise<PostRow> {
  if (row.status !== 'published' || row.mention_id !== null) return row;
  if (row.published_external_id === null && row.published_url === null) return row;
  const [next] = await tx<PostRow[]>`
    with own as (
      select m.id, m.external_id from mentions m
      where m.org_id = ${orgId} and m.deleted_at is null
        and m.posted_at >= ${new Date(now.getTime() - LINK_LOOKBACK_MS)}
        and (m.external_id = ${row.published_external_id}
          or (m.url is not null and hinoko_url_key(m.url) = hinoko_url_key(${row.published_url})))
      order by m.posted_at, m.id
      limit 1
    )
    update post_drafts p set mention_id = own.id, linked_at = ${now},
      published_external_id = coalesce(p.published_external_id, own.external_id)
    from own
    where p.org_id = ${orgId} and p.id = ${row.id}
    returning p.*`;
  return next ?? row;
}

/** The published post whose replies and quotes carry a surge, as an alert names it. */
export interface PostUnderFire {
  postId: string;
  channel: string;
  /** The post's opening words (the clinic's own reviewed text). */
  excerpt: string;
  url: string | null;
  publishedAt: Date;
  /** Negative replies and quotes to it in the window. */
  negative: number;
  /** All replies and quotes to it in the window. */
  reactions: number;
  /** Negative posts of the whole series in the window. */
  windowNegative: number;
}

/** A post is named when its negative replies and quotes are at least this many … */
const MIN_NEGATIVE_REACTIONS = 3;
/** … and at least this share of the window's negative posts: the surge is about it, not beside it. */
const MIN_SHARE_OF_NEGATIVE = 1 / 3;

/**
 * The published post that the window's negative posts answer, if one carries a good part of them:
 * replies and quotes to the clinic's own post, counted as the episode-kind test counts negative
 * evidence. Null when no published post draws at least 3 negative reactions and a third of the
 * window's negative posts.
 */
export async function postUnderFire(
  sql: Queryable,
  q: { orgId: string; watchTargetId: string | null; from: Date; to: Date },
): Promise<PostUnderFire | null> {
  const rows = await sql<(Omit<PostUnderFire, 'windowNegative'> & { windowNegative: number })[]>`
    with window_posts as (
      select m.reply_to_external_id, m.quote_of_external_id, ${negativeEvidence(sql)} as negative
      from mentions m
      where m.org_id = ${q.orgId} and m.deleted_at is null
        ${q.watchTargetId ? sql`and m.watch_target_id = ${q.watchTargetId}` : sql``}
        and m.posted_at >= ${q.from} and m.posted_at < ${q.to}
    )
    select p.id as "postId", p.channel, left(p.text, 60) as excerpt, p.published_url as url, p.published_at as "publishedAt",
      count(*) filter (where w.negative)::int as negative, count(*)::int as reactions,
      (select count(*) filter (where negative) from window_posts)::int as "windowNegative"
    from post_drafts p
    join window_posts w on w.reply_to_external_id = p.published_external_id or w.quote_of_external_id = p.published_external_id
    where p.org_id = ${q.orgId} and p.status = 'published' and p.published_external_id is not null
    group by p.org_id, p.id
    order by negative desc, reactions desc, p.id
    limit 1`;
  const top = rows[0];
  if (!top || top.negative < MIN_NEGATIVE_REACTIONS || top.negative < top.windowNegative * MIN_SHARE_OF_NEGATIVE) return null;
  return top;
}
