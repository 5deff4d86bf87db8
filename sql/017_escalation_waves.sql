-- A relapse (an incident reopened by a new crisis wave, src/incidents/relapse-incident.ts) pages
-- its escalation policy again from level 1. Each wave's pages have keys of their own (the first
-- wave's keep the old form), so the outbox does not drop them as repeats of the first wave's.
alter table incident_escalations add column wave integer not null default 1 check (wave >= 1);
