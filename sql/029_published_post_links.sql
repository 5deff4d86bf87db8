-- Issue 17 item 5: a published post linked to the clinic's own post as collected, so the replies
-- and quotes it draws are watched and a negative surge on them names it in the alert.
--
-- A published post is found again by its id on the platform (given when it is marked published,
-- or read from the collected post once linked) or by its address. Addresses are compared by a
-- key that drops what varies between copies of one link: the scheme, www./m., twitter.com for
-- x.com, the account part of an X status address, a trailing slash, the fragment, and query
-- parameters other than the few that name the content (YouTube's v, Facebook's story_fbid/fbid/id).
create function hinoko_url_key(u text) returns text
language sql immutable strict parallel safe
as $$
  select host
    || case when host = 'x.com' then regexp_replace(path, '^/(?:[^/]+|i/web|i)/status(?:es)?/([0-9]+).*$', '/status/\1') else path end
    || coalesce('?' || (
      select string_agg(kv, '&' order by kv) from unnest(string_to_array(query, '&')) as kv
      where split_part(kv, '=', 1) in ('v', 'story_fbid', 'fbid', 'id')
    ), '')
  from (
    select regexp_replace(regexp_replace(lower(p[1]), '^(?:www|m|mobile|mbasic)\.', ''), '^twitter\.com$', 'x.com') as host,
      rtrim(p[2], '/') as path, p[3] as query
    from regexp_match(u, '^[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^@/?#]*@)?([^/?#:]+)(?::[0-9]+)?([^?#]*)(?:\?([^#]*))?') as p
  ) as parts
$$;

alter table post_drafts
  -- The post's id on its platform: what replies and quotes name (mentions.reply_to_external_id).
  add column published_external_id text check (length(published_external_id) between 1 and 512),
  add column published_url_key text generated always as (hinoko_url_key(published_url)) stored,
  -- The clinic's own post as collected, once it appears (ingest links it; so does publishing, when
  -- it was collected first).
  add column mention_id bigint,
  add column linked_at timestamptz,
  add foreign key (org_id, mention_id) references mentions (org_id, id) on delete set null (mention_id);

-- Ingest looks for the published posts still waiting for their collected copy.
create index post_drafts_awaiting_link on post_drafts (org_id) where status = 'published' and mention_id is null;
-- A post's page counts the quotes it drew, as mentions_reply_to_idx (sql/022) serves its replies.
create index mentions_quote_of_idx on mentions (org_id, source_id, quote_of_external_id) where quote_of_external_id is not null;
