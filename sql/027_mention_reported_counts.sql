-- Issue 16: posts that pass on a report of trouble (a news or まとめ link with a trouble word,
-- 「炎上してる」) without negative words of their own are negative evidence for the organisation.
-- The ingest path counts them per bucket beside the negative ones, so live detection and the
-- settings page's replay read the same number. Posts stored before are counted when the backlog
-- re-analyses them (the analyser's version changed with this rule).
alter table mention_counts add column reported integer not null default 0;
