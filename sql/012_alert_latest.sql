-- An alert's severity is its episode's peak, but its summary was overwritten by each update, so a
-- severity-5 alert could read 「深刻度4」. Now (severity, summary_ja) describe the peak moment and
-- the latest_* columns the last update (its own bucket's severity, 0 when that bucket was
-- unremarkable but the episode still running); the API labels both. Rows written before this
-- (or by hand) read their peak as their latest.
alter table alerts
  add column latest_severity smallint check (latest_severity between 0 and 5),
  add column latest_summary_ja text,
  add column latest_at timestamptz;
