-- Japanese text search over posts (issue 14 item 3). Japanese has no spaces, so Postgres' own
-- parsers cannot find words in it; the analysis stage (kuromoji) already splits every post, so its
-- tokens (surface and dictionary forms, NFKC-folded and lower-cased) are stored as the lexemes of a
-- tsvector, and a search splits the query the same way and asks for all of its tokens. A GIN index
-- answers that without reading the posts. NULL until the post is analysed: the analysis backlog
-- fills it, for the posts stored before this migration too.
alter table mentions add column search tsvector;
-- The lexemes as the analysis wrote them (a JSON array of strings), taken as they are: no parser
-- or dictionary of Postgres' runs over them.
create function hinoko_lexemes(words jsonb) returns tsvector language sql immutable strict parallel safe
  as $$ select array_to_tsvector(array(select jsonb_array_elements_text(words))) $$;
create index mentions_search_idx on mentions using gin (search);

-- The backlog's sweep (src/ingest/analyze-stored.ts, mode 'missing'): posts not analysed yet or
-- without search lexemes. Partial, so the sweep every 30 s reads only what is left to do instead
-- of walking every post of every organisation.
create index mentions_unanalysed_idx on mentions (org_id, id) where analysis is null or search is null;

-- The feed's rarer filters, which a walk down the time index would otherwise read the whole
-- table for: posts with personal data found in them, and posts by risk category.
create index mentions_pii_posted_idx on mentions (org_id, posted_at desc, id desc)
  where jsonb_array_length(analysis -> 'pii') > 0;
create index mentions_risks_idx on mentions using gin ((analysis -> 'risks') jsonb_path_ops);
