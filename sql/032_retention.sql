-- Issue 18 item 5: retention per organisation (src/privacy/retention.ts). Periods live in
-- organizations.settings -> 'retention'; a daily job removes, per kind, what is older than its
-- period — the raw payloads, the text of deleted posts, private messages, detected personal data,
-- and the copies of sent alert mails — each in its own audited transaction.

-- When retention took a post's text away (deleted by its author, or a private message past its
-- period): the row stays for counts and alert history, like an erasure.
alter table mentions add column text_removed_at timestamptz;
-- When retention blanked a sent mail's subject and bodies; the row (its dedupe key) stays, so the
-- mail is still never sent twice.
alter table mail_outbox add column body_removed_at timestamptz;

-- What retention and erasure must keep: posts quoted as samples by an alert of an incident that is
-- still open, or whose post-mortem is written but not approved yet. One definition for both verbs.
create function hinoko_cited_mentions(org bigint)
  returns table (mention_id bigint, incident_id bigint, reason text)
  language sql stable parallel safe as $$
    select distinct on ((s ->> 'id')::bigint) (s ->> 'id')::bigint, i.id,
      case when i.status in ('triage', 'active', 'stable') then 'open_incident' else 'postmortem_not_approved' end
    from incidents i
    join incident_alerts ia on ia.org_id = i.org_id and ia.incident_id = i.id
    join alerts a on a.org_id = ia.org_id and a.id = ia.alert_id
    cross join lateral jsonb_array_elements(coalesce(a.explanation -> 'samples', '[]'::jsonb)) as s
    left join postmortems p on p.org_id = i.org_id and p.incident_id = i.id
    where i.org_id = org
      and (s ->> 'id') ~ '^[0-9]{1,18}$'
      and (i.status in ('triage', 'active', 'stable') or (p.status is not null and p.status <> 'approved'))
    order by (s ->> 'id')::bigint, i.id
  $$;

-- Deleted posts and private messages whose text is still kept: the daily job's candidates.
create index mentions_deleted_kept_idx on mentions (org_id, deleted_at) where deleted_at is not null and text_removed_at is null;
create index mentions_private_kept_idx on mentions (org_id, collected_at) where is_private and text_removed_at is null;
