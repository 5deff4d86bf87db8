-- Issue 18 item 5: erasing one person's data on request (個人情報保護法 35条 利用停止・消去). Their
-- posts stay as rows — bucket counts, alert history and detection state were computed from them and
-- hold nothing personal — but lose their text, author, address, raw payload, words and earlier
-- versions, and say when they were erased. Posts an open incident (or one whose post-mortem is not
-- yet approved) cites are kept as evidence until it closes, and the report says so.
alter table mentions add column erased_at timestamptz;
-- Finding a person's posts by the account that wrote them, across the organisation's sources.
create index mentions_author_handle_idx on mentions (org_id, lower(ltrim(author_handle, '@'))) where author_handle is not null;
create index mentions_author_id_idx on mentions (org_id, author_id) where author_id is not null;
