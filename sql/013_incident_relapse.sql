-- Relapse after resolution (issue 12 item 5). A recent crisis wave at the org's threshold, with no
-- incident open, reopens the incident resolved most recently if that was within 24 hours
-- (src/incidents/relapse-incident.ts, relapseCandidate):
--   … where org_id = $1 and status in ('resolved', 'closed') and resolved_at >= $2
--     order by resolved_at desc, id desc limit 1
-- This index serves that lookup; incidents_org_detected_idx cannot, since a long incident resolves
-- long after its detection.
create index incidents_org_resolved_idx on incidents (org_id, resolved_at desc, id desc) where status in ('resolved', 'closed');
