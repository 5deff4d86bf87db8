-- Distributing Hinoko over a Citus cluster by organisation (README「Citus で動かす」, issue 18).
-- Run once, as the database owner on the coordinator, after `hinoko migrate` has built the schema
-- and before the service starts (distributing a table copies its rows to the workers: do it while
-- it is small, or expect the copy to take a while). Every tenant table's keys hold org_id
-- (sql/033_citus_ready.sql; test/integration/citus-ready.test.ts keeps it so), so each
-- organisation's rows live together on one worker and every query routes to it.
-- The files in sql/citus/ are not migrations: the service never runs them.

create extension if not exists citus;

-- Reference tables: small, read everywhere, copied to every worker.
select create_reference_table('organizations');
select create_reference_table('installation');
select create_reference_table('app_secrets');
-- schema_migrations, leases and login_throttle stay local to the coordinator (the service's own
-- bookkeeping: applied migrations, which instance runs which job, failed logins by address).

-- Tenant tables, by org_id, all in one colocation group: a join or foreign key between two of
-- them on org_id stays on one worker. Parents before the tables that reference them.
select create_distributed_table('users', 'org_id');
select create_distributed_table('sessions', 'org_id', colocate_with => 'users');
select create_distributed_table('user_tokens', 'org_id', colocate_with => 'users');
select create_distributed_table('watch_targets', 'org_id', colocate_with => 'users');
select create_distributed_table('sources', 'org_id', colocate_with => 'users');
select create_distributed_table('source_credentials', 'org_id', colocate_with => 'users');
select create_distributed_table('source_cursors', 'org_id', colocate_with => 'users');
select create_distributed_table('source_sessions', 'org_id', colocate_with => 'users');
select create_distributed_table('source_activities', 'org_id', colocate_with => 'users');
select create_distributed_table('collector_runs', 'org_id', colocate_with => 'users');
select create_distributed_table('mention_keys', 'org_id', colocate_with => 'users');
-- Partitioned by month (sql/034): Citus distributes each month with its table, and a month made
-- later (hinoko_month_partition) is distributed as it is attached.
select create_distributed_table('mentions', 'org_id', colocate_with => 'users');
select create_distributed_table('mention_versions', 'org_id', colocate_with => 'users');
select create_distributed_table('mention_tombstones', 'org_id', colocate_with => 'users');
select create_distributed_table('mention_notes', 'org_id', colocate_with => 'users');
select create_distributed_table('mention_triage', 'org_id', colocate_with => 'users');
select create_distributed_table('mention_counts', 'org_id', colocate_with => 'users');
select create_distributed_table('mention_source_counts', 'org_id', colocate_with => 'users');
select create_distributed_table('mention_risk_counts', 'org_id', colocate_with => 'users');
select create_distributed_table('detector_states', 'org_id', colocate_with => 'users');
select create_distributed_table('detector_snapshots', 'org_id', colocate_with => 'users');
select create_distributed_table('alerts', 'org_id', colocate_with => 'users');
select create_distributed_table('alert_events', 'org_id', colocate_with => 'users');
select create_distributed_table('mail_outbox', 'org_id', colocate_with => 'users');
select create_distributed_table('playbook_versions', 'org_id', colocate_with => 'users');
select create_distributed_table('incidents', 'org_id', colocate_with => 'users');
select create_distributed_table('incident_alerts', 'org_id', colocate_with => 'users');
select create_distributed_table('incident_events', 'org_id', colocate_with => 'users');
select create_distributed_table('incident_tasks', 'org_id', colocate_with => 'users');
select create_distributed_table('incident_escalations', 'org_id', colocate_with => 'users');
select create_distributed_table('ack_links', 'org_id', colocate_with => 'users');
select create_distributed_table('statements', 'org_id', colocate_with => 'users');
select create_distributed_table('statement_versions', 'org_id', colocate_with => 'users');
select create_distributed_table('postmortems', 'org_id', colocate_with => 'users');
select create_distributed_table('escalation_policies', 'org_id', colocate_with => 'users');
select create_distributed_table('oncall_schedules', 'org_id', colocate_with => 'users');
select create_distributed_table('oncall_overrides', 'org_id', colocate_with => 'users');
select create_distributed_table('post_drafts', 'org_id', colocate_with => 'users');
select create_distributed_table('post_draft_versions', 'org_id', colocate_with => 'users');
select create_distributed_table('post_approvals', 'org_id', colocate_with => 'users');

-- The audit log holds the platform's chain (org_id null) beside each organisation's: it is
-- distributed by its chain (an organisation's id as text, or 'platform'), in a group of its own.
-- Appending an audit row in the same transaction as an organisation's change may then touch a
-- second worker: Citus commits both with two-phase commit.
select create_distributed_table('audit_log', 'chain', colocate_with => 'none');
