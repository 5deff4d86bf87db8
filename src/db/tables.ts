// GENERATED from the migrated schema (sql/*.sql) by test/support/generate-db-types.ts: do not edit.
// Regenerate with `npm run db:types` after adding a migration; CI runs `npm run check:db-types`,
// which fails when this file differs from what the migrations produce. Exempt from the 400-line
// rule: it is as long as the schema is.
//
// How Postgres types read (postgres.js, see src/db/connect.ts): bigint is Int8, a string; timestamptz
// is Timestamp, a Date; bytea is Buffer; jsonb is Json, narrowed where the code relies on a shape in
// src/db/schema.ts; a text column whose CHECK lists its values (`status in ('open', 'closed')`) is
// that union, read from the constraint. Import rows through src/db/schema.ts (Row<'table'>).

import type { ColumnType } from "kysely";

export type ArrayType<T> = ArrayTypeImpl<T> extends (infer U)[]
  ? U[]
  : ArrayTypeImpl<T>;

export type ArrayTypeImpl<T> = T extends ColumnType<infer S, infer I, infer U>
  ? ColumnType<S[], I[], U[]>
  : T[];

export type Generated<T> = T extends ColumnType<infer S, infer I, infer U>
  ? ColumnType<S, I | undefined, U>
  : ColumnType<T, T | undefined, T>;

export type Int8 = ColumnType<string, bigint | number | string, bigint | number | string>;

export type Json = JsonValue;

export type JsonArray = JsonValue[];

export type JsonObject = {
  [x: string]: JsonValue | undefined;
};

export type JsonPrimitive = boolean | number | string | null;

export type JsonValue = JsonArray | JsonObject | JsonPrimitive;

export type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface AckLinks {
  created_at: Generated<Timestamp>;
  expires_at: Timestamp;
  incident_id: Int8;
  nonce: string;
  org_id: Int8;
  recipient: string;
  used_at: Timestamp | null;
}

export interface AlertEvents {
  action: "open" | "escalate" | "reopen" | "update" | "close";
  alert_id: Int8;
  bucket_start: Timestamp;
  created_at: Generated<Timestamp>;
  id: Generated<Int8>;
  notify: boolean;
  org_id: Int8;
  score: number;
  severity: number;
  summary_ja: string;
}

export interface Alerts {
  closed_at: Timestamp | null;
  episode_id: string;
  explanation: Json;
  id: Generated<Int8>;
  kind: "crisis" | "notice";
  latest_at: Timestamp | null;
  latest_severity: number | null;
  latest_summary_ja: string | null;
  opened_at: Timestamp;
  org_id: Int8;
  peak_score: number;
  severity: number;
  status: "open" | "closed";
  summary_ja: string;
  updated_at: Timestamp;
  watch_target_id: Int8 | null;
}

export interface AppSecrets {
  created_at: Generated<Timestamp>;
  name: string;
  value: Buffer;
}

export interface AuditLog {
  action: string;
  actor_id: string | null;
  actor_type: "api_token" | "cli" | "system" | "webhook" | "user";
  after: Json | null;
  at: Timestamp;
  before: Json | null;
  chain: string;
  hash: Buffer;
  id: Generated<Int8>;
  org_id: Int8 | null;
  prev_hash: Buffer | null;
  request_id: string | null;
  seq: Int8;
  source_ip: string | null;
  target_id: string | null;
  target_type: string | null;
}

export interface CollectorRuns {
  covers_until: Timestamp | null;
  error: string | null;
  fetched: Generated<number>;
  finished_at: Timestamp | null;
  id: Generated<Int8>;
  inserted: Generated<number>;
  instance_id: string;
  org_id: Int8;
  pages: Generated<number>;
  rejected: Generated<number>;
  scheduled_for: Timestamp | null;
  source_id: Int8;
  started_at: Generated<Timestamp>;
  status: "running" | "succeeded" | "failed" | "skipped";
  tombstoned: Generated<number>;
  trigger: "schedule" | "manual" | "webhook";
  updated: Generated<number>;
}

export interface DetectorSnapshots {
  bucket_start: Timestamp;
  org_id: Int8;
  state: Json;
  watch_target_id: Int8 | null;
}

export interface DetectorStates {
  bucket_ms: number;
  last_bucket_start: Timestamp | null;
  org_id: Int8;
  rejudge_from: Timestamp | null;
  state: Json;
  updated_at: Generated<Timestamp>;
  watch_target_id: Int8 | null;
}

export interface EscalationPolicies {
  levels: Json;
  org_id: Int8;
  repeat: number;
  updated_at: Generated<Timestamp>;
}

export interface IncidentAlerts {
  alert_id: Int8;
  attached_at: Timestamp;
  incident_id: Int8;
  org_id: Int8;
}

export interface IncidentEscalations {
  created_at: Timestamp;
  incident_id: Int8;
  level: Generated<number>;
  levels: Json;
  next_at: Timestamp | null;
  org_id: Int8;
  repeat: number;
  round: Generated<number>;
  status: Generated<"active" | "acknowledged" | "exhausted" | "closed">;
  wave: Generated<number>;
}

export interface IncidentEvents {
  actor_id: string | null;
  actor_type: string;
  at: Timestamp;
  data: Generated<Json>;
  id: Generated<Int8>;
  incident_id: Int8;
  kind: "opened" | "alert_attached" | "alert_updated" | "status_changed" | "severity_changed" | "tasks_added" | "task_updated" | "roles_changed" | "note" | "mail_queued" | "mail_sent" | "mail_failed" | "acknowledged" | "escalated" | "task_overdue" | "statement_drafted" | "statement_edited" | "statement_checked" | "statement_submitted" | "statement_approved" | "statement_rejected" | "statement_published" | "statement_withdrawn" | "postmortem_drafted" | "postmortem_edited" | "postmortem_approved";
  org_id: Int8;
}

export interface Incidents {
  acknowledged_at: Timestamp | null;
  closed_at: Timestamp | null;
  commander_id: Int8 | null;
  commander_role: "pr_staff" | "oncall_manager" | "director" | "admin" | null;
  communications_id: Int8 | null;
  communications_role: "pr_staff" | "oncall_manager" | "director" | "admin" | null;
  created_at: Generated<Timestamp>;
  detected_at: Timestamp;
  first_response_at: Timestamp | null;
  id: Generated<Int8>;
  mitigated_at: Timestamp | null;
  org_id: Int8;
  playbook_version: number;
  resolved_at: Timestamp | null;
  risk_categories: Generated<string[]>;
  scribe_id: Int8 | null;
  scribe_role: "pr_staff" | "oncall_manager" | "director" | "admin" | null;
  severity: number;
  status: "triage" | "active" | "stable" | "resolved" | "closed" | "cancelled";
  title: string;
  updated_at: Generated<Timestamp>;
}

export interface IncidentTasks {
  assignee_id: Int8 | null;
  checklist: Generated<Json>;
  created_at: Generated<Timestamp>;
  done_at: Timestamp | null;
  done_by: string | null;
  due_at: Timestamp;
  id: Generated<Int8>;
  incident_id: Int8;
  org_id: Int8;
  overdue_notified_at: Timestamp | null;
  owner_role: "pr_staff" | "oncall_manager" | "director" | "admin";
  status: Generated<"open" | "done" | "skipped">;
  step_key: string;
  title: string;
}

export interface Installation {
  created_at: Generated<Timestamp>;
  id: string;
  singleton: Generated<boolean>;
}

export interface Leases {
  acquired_at: Generated<Timestamp>;
  expires_at: Timestamp;
  holder: string;
  name: string;
}

export interface LoginThrottle {
  failures: number;
  key: string;
  locked_until: Timestamp | null;
  window_start: Timestamp;
}

export interface MailOutbox {
  alert_event_id: Int8 | null;
  alert_id: Int8 | null;
  attempts: Generated<number>;
  audited_at: Timestamp | null;
  body_removed_at: Timestamp | null;
  created_at: Generated<Timestamp>;
  dedupe_key: string;
  delivered_via: "smtp" | "preview" | null;
  delivery_detail: string | null;
  html_body: string;
  id: Generated<Int8>;
  incident_id: Int8 | null;
  last_error: string | null;
  locked_by: string | null;
  locked_until: Timestamp | null;
  message_id: string;
  next_attempt_at: Generated<Timestamp>;
  org_id: Int8;
  sent_at: Timestamp | null;
  severity: number | null;
  status: Generated<"pending" | "sending" | "sent" | "failed">;
  subject: string;
  text_body: string;
  thread_root: string | null;
  to_address: string;
}

export interface MentionCounts {
  bucket_start: Timestamp;
  negative: Generated<number>;
  negative_quotes: Generated<Int8>;
  negative_replies: Generated<Int8>;
  negative_reposts: Generated<Int8>;
  org_id: Int8;
  positive: Generated<number>;
  quotes: Generated<Int8>;
  replies: Generated<Int8>;
  reported: Generated<number>;
  reposts: Generated<Int8>;
  total: Generated<number>;
  watch_target_id: Int8 | null;
}

export interface MentionKeys {
  external_id: string;
  id: Generated<Int8>;
  org_id: Int8;
  posted_at: Timestamp;
  source_id: Int8;
}

export interface MentionNotes {
  author_id: Int8;
  body: string;
  created_at: Generated<Timestamp>;
  id: Generated<Int8>;
  mention_id: Int8;
  org_id: Int8;
}

export interface MentionRiskCounts {
  bucket_start: Timestamp;
  category: string;
  hits: Generated<number>;
  org_id: Int8;
  watch_target_id: Int8 | null;
}

export interface Mentions {
  analysis: Json | null;
  analysis_version: string | null;
  author_handle: string | null;
  author_id: string | null;
  author_name: string | null;
  collected_at: Generated<Timestamp>;
  deleted_at: Timestamp | null;
  erased_at: Timestamp | null;
  external_id: string;
  id: Int8;
  is_demo: Generated<boolean>;
  is_private: Generated<boolean>;
  language: string | null;
  likes: Generated<number>;
  org_id: Int8;
  posted_at: Timestamp;
  quote_of_external_id: string | null;
  quotes: Generated<number>;
  rating: number | null;
  raw: Json;
  replies: Generated<number>;
  reply_to_external_id: string | null;
  repost_of_external_id: string | null;
  reposts: Generated<number>;
  search: string | null;
  sentiment_label: "positive" | "neutral" | "negative" | null;
  sentiment_score: number | null;
  source_id: Int8;
  text: string;
  text_removed_at: Timestamp | null;
  updated_at: Generated<Timestamp>;
  url: string | null;
  version: Generated<number>;
  views: Int8 | null;
  watch_target_id: Int8 | null;
}

export interface MentionSourceCounts {
  bucket_start: Timestamp;
  negative: Generated<number>;
  org_id: Int8;
  source_id: Int8;
  total: Generated<number>;
}

export interface MentionTombstones {
  deleted_at: Timestamp;
  external_id: string;
  mention_id: Int8 | null;
  org_id: Int8;
  raw: Json | null;
  reason: "deleted" | "unsent" | "hidden" | "unavailable";
  recorded_at: Generated<Timestamp>;
  source_id: Int8;
}

export interface MentionTriage {
  assignee_id: Int8 | null;
  mention_id: Int8;
  org_id: Int8;
  posted_at: Timestamp;
  replied_at: Timestamp | null;
  status: "open" | "needs_reply" | "handled" | "ignored";
  updated_at: Generated<Timestamp>;
  updated_by: Int8 | null;
}

export interface MentionVersions {
  id: Generated<Int8>;
  mention_id: Int8;
  observed_at: Timestamp;
  org_id: Int8;
  raw: Json;
  replaced_at: Generated<Timestamp>;
  text: string;
  version: number;
}

export interface OncallOverrides {
  created_at: Generated<Timestamp>;
  ends_at: Timestamp;
  id: Generated<Int8>;
  org_id: Int8;
  schedule_id: Int8;
  starts_at: Timestamp;
  user_id: Int8;
}

export interface OncallSchedules {
  created_at: Generated<Timestamp>;
  definition: Json;
  id: Generated<Int8>;
  name: string;
  org_id: Int8;
  updated_at: Generated<Timestamp>;
}

export interface Organizations {
  created_at: Generated<Timestamp>;
  id: Generated<Int8>;
  is_demo: Generated<boolean>;
  name: string;
  post_reviewers_required: Generated<number>;
  published_identifiers: Generated<Json>;
  settings: Generated<Json>;
  slug: string;
}

export interface PlaybookVersions {
  created_at: Generated<Timestamp>;
  created_by: string | null;
  org_id: Int8;
  steps: Json;
  version: number;
}

export interface PostApprovals {
  approved_at: Timestamp;
  org_id: Int8;
  overrides: Generated<Json>;
  post_id: Int8;
  reviewer_id: string;
  version: number;
}

export interface PostDrafts {
  attachments: Generated<Json>;
  author_id: string;
  channel: "x" | "instagram" | "facebook" | "line" | "blog" | "google_review_reply";
  checked_at: Timestamp;
  created_at: Timestamp;
  findings: Generated<Json>;
  id: Generated<Int8>;
  images: Generated<Json>;
  linked_at: Timestamp | null;
  mention_id: Int8 | null;
  org_id: Int8;
  planned_at: Timestamp | null;
  published_at: Timestamp | null;
  published_external_id: string | null;
  published_url: string | null;
  published_url_key: Generated<string | null>;
  rules_version: string;
  status: "draft" | "in_review" | "approved" | "scheduled" | "published" | "withdrawn";
  text: string;
  updated_at: Timestamp;
  version: Generated<number>;
  withdraw_reason: string | null;
  withdrawn_at: Timestamp | null;
}

export interface PostDraftVersions {
  edited_at: Timestamp;
  edited_by: string;
  images: Json;
  org_id: Int8;
  post_id: Int8;
  text: string;
  version: number;
}

export interface Postmortems {
  approved_at: Timestamp | null;
  approved_by: string | null;
  approved_version: number | null;
  created_at: Timestamp;
  edited_fields: Generated<string[]>;
  facts: Json;
  generated_at: Timestamp;
  incident_id: Int8;
  org_id: Int8;
  status: "draft" | "approved";
  summary: string;
  updated_at: Timestamp;
  updated_by: string | null;
  version: Generated<number>;
  went_badly: string;
  went_well: string;
}

export interface SchemaMigrations {
  applied_at: Generated<Timestamp>;
  checksum: string;
  name: string;
  version: number;
}

export interface Sessions {
  created_at: Timestamp;
  csrf_token: string;
  expires_at: Timestamp;
  id_hash: Buffer;
  last_seen_at: Timestamp;
  org_id: Int8;
  source_ip: string | null;
  user_id: Int8;
}

export interface SourceActivities {
  actor_id: string | null;
  event_id: string;
  is_private: Generated<boolean>;
  kind: string;
  occurred_at: Timestamp;
  org_id: Int8;
  raw: Json | null;
  received_at: Generated<Timestamp>;
  source_id: Int8;
}

export interface SourceCredentials {
  key_id: string;
  name: string;
  org_id: Int8;
  sealed: Buffer;
  source_id: Int8;
  updated_at: Generated<Timestamp>;
}

export interface SourceCursors {
  cursor: Json | null;
  org_id: Int8;
  source_id: Int8;
  updated_at: Generated<Timestamp>;
}

export interface Sources {
  config: Generated<Json>;
  created_at: Generated<Timestamp>;
  enabled: Generated<boolean>;
  health: Generated<"unknown" | "ok" | "failing" | "unhealthy">;
  health_message: string | null;
  id: Generated<Int8>;
  last_run_at: Timestamp | null;
  last_success_at: Timestamp | null;
  name: string;
  org_id: Int8;
  schedule: string;
  type: string;
  updated_at: Generated<Timestamp>;
}

export interface SourceSessions {
  key_id: string;
  org_id: Int8;
  sealed: Buffer;
  source_id: Int8;
  updated_at: Timestamp;
}

export interface Statements {
  approved_at: Timestamp | null;
  approved_by: string | null;
  author_id: string;
  body: string;
  checked_at: Timestamp | null;
  created_at: Timestamp;
  findings: Generated<Json>;
  id: Generated<Int8>;
  incident_id: Int8;
  kind: "holding" | "apology" | "review_reply";
  org_id: Int8;
  overrides: Generated<Json>;
  published_at: Timestamp | null;
  reject_reason: string | null;
  rejected_at: Timestamp | null;
  rejected_by: string | null;
  status: "draft" | "in_review" | "approved" | "rejected" | "published" | "withdrawn";
  submitted_at: Timestamp | null;
  submitted_by: string | null;
  template_key: string | null;
  title: string;
  updated_at: Timestamp;
  version: Generated<number>;
  withdraw_reason: string | null;
  withdrawn_at: Timestamp | null;
}

export interface StatementVersions {
  body: string;
  edited_at: Timestamp;
  edited_by: string;
  org_id: Int8;
  statement_id: Int8;
  title: string;
  version: number;
}

export interface Users {
  created_at: Generated<Timestamp>;
  disabled_at: Timestamp | null;
  email: string;
  id: Generated<Int8>;
  name: string;
  org_id: Int8;
  password_hash: string | null;
  role: "pr_staff" | "oncall_manager" | "director" | "admin";
  updated_at: Generated<Timestamp>;
}

export interface UserTokens {
  created_at: Timestamp;
  expires_at: Timestamp | null;
  id: Generated<Int8>;
  label: string;
  last_used_at: Timestamp | null;
  org_id: Int8;
  scopes: ArrayType<"read" | "read_pii" | "write" | "approve" | "manage">;
  token_hash: Buffer;
  user_id: Int8;
}

export interface WatchTargets {
  archived_at: Timestamp | null;
  archived_by: Int8 | null;
  created_at: Generated<Timestamp>;
  exclusions: Generated<string[]>;
  handles: Generated<Json>;
  id: Generated<Int8>;
  keywords: Generated<string[]>;
  mute_reason: string | null;
  muted_by: Int8 | null;
  muted_until: Timestamp | null;
  name: string;
  names: Generated<string[]>;
  org_id: Int8;
}

export interface DB {
  ack_links: AckLinks;
  alert_events: AlertEvents;
  alerts: Alerts;
  app_secrets: AppSecrets;
  audit_log: AuditLog;
  collector_runs: CollectorRuns;
  detector_snapshots: DetectorSnapshots;
  detector_states: DetectorStates;
  escalation_policies: EscalationPolicies;
  incident_alerts: IncidentAlerts;
  incident_escalations: IncidentEscalations;
  incident_events: IncidentEvents;
  incident_tasks: IncidentTasks;
  incidents: Incidents;
  installation: Installation;
  leases: Leases;
  login_throttle: LoginThrottle;
  mail_outbox: MailOutbox;
  mention_counts: MentionCounts;
  mention_keys: MentionKeys;
  mention_notes: MentionNotes;
  mention_risk_counts: MentionRiskCounts;
  mention_source_counts: MentionSourceCounts;
  mention_tombstones: MentionTombstones;
  mention_triage: MentionTriage;
  mention_versions: MentionVersions;
  mentions: Mentions;
  oncall_overrides: OncallOverrides;
  oncall_schedules: OncallSchedules;
  organizations: Organizations;
  playbook_versions: PlaybookVersions;
  post_approvals: PostApprovals;
  post_draft_versions: PostDraftVersions;
  post_drafts: PostDrafts;
  postmortems: Postmortems;
  schema_migrations: SchemaMigrations;
  sessions: Sessions;
  source_activities: SourceActivities;
  source_credentials: SourceCredentials;
  source_cursors: SourceCursors;
  source_sessions: SourceSessions;
  sources: Sources;
  statement_versions: StatementVersions;
  statements: Statements;
  user_tokens: UserTokens;
  users: Users;
  watch_targets: WatchTargets;
}
