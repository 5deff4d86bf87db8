// Row types for the tables in sql/. Kept by hand beside the migrations that define them:
// change both together.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** Has a database default: optional on insert. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb: postgres.js serialises objects itself; pre-stringified text would be stored as a JSON string. */
type Json<T = unknown> = ColumnType<T, T, T>;
type JsonDefault<T = unknown> = ColumnType<T, T | undefined, T>;


export interface OrganizationsTable {
  id: Generated<string>;
  name: string;
  slug: string;
  is_demo: Generated<boolean>;
  settings: JsonDefault<Record<string, unknown>>;
  created_at: TimestampDefault;
}

export interface WatchTargetsTable {
  org_id: string;
  id: Generated<string>;
  name: string;
  names: Generated<string[]>;
  keywords: Generated<string[]>;
  handles: JsonDefault<Record<string, string>>;
  exclusions: Generated<string[]>;
  created_at: TimestampDefault;
}

export type SourceHealth = 'unknown' | 'ok' | 'failing' | 'unhealthy';

export interface SourcesTable {
  org_id: string;
  id: Generated<string>;
  type: string;
  name: string;
  config: Json<Record<string, unknown>>;
  enabled: Generated<boolean>;
  schedule: string;
  health: Generated<SourceHealth>;
  health_message: string | null;
  last_run_at: Timestamp | null;
  last_success_at: Timestamp | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface SourceCursorsTable {
  org_id: string;
  source_id: string;
  cursor: Json | null;
  updated_at: TimestampDefault;
}

export interface MentionsTable {
  org_id: string;
  id: Generated<string>;
  source_id: string;
  watch_target_id: string | null;
  external_id: string;
  url: string | null;
  author_id: string | null;
  author_handle: string | null;
  author_name: string | null;
  text: string;
  language: string | null;
  posted_at: Timestamp;
  collected_at: TimestampDefault;
  updated_at: TimestampDefault;
  likes: Generated<number>;
  reposts: Generated<number>;
  quotes: Generated<number>;
  replies: Generated<number>;
  views: string | null;
  reply_to_external_id: string | null;
  quote_of_external_id: string | null;
  repost_of_external_id: string | null;
  rating: number | null;
  is_private: Generated<boolean>;
  is_demo: Generated<boolean>;
  raw: Json;
  analysis: Json | null;
  analysis_version: string | null;
  sentiment_label: 'positive' | 'neutral' | 'negative' | null;
  sentiment_score: number | null;
  version: Generated<number>;
  deleted_at: Timestamp | null;
}

export interface MentionVersionsTable {
  org_id: string;
  id: Generated<string>;
  mention_id: string;
  version: number;
  text: string;
  raw: Json;
  observed_at: Timestamp;
  replaced_at: TimestampDefault;
}

export interface MentionTombstonesTable {
  org_id: string;
  source_id: string;
  external_id: string;
  mention_id: string | null;
  reason: 'deleted' | 'unsent' | 'hidden' | 'unavailable';
  deleted_at: Timestamp;
  recorded_at: TimestampDefault;
  raw: Json | null;
}

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'skipped';

export interface CollectorRunsTable {
  org_id: string;
  id: Generated<string>;
  source_id: string;
  scheduled_for: Timestamp | null;
  trigger: 'schedule' | 'manual' | 'webhook';
  instance_id: string;
  status: RunStatus;
  started_at: TimestampDefault;
  finished_at: Timestamp | null;
  pages: Generated<number>;
  fetched: Generated<number>;
  inserted: Generated<number>;
  updated: Generated<number>;
  tombstoned: Generated<number>;
  rejected: Generated<number>;
  error: string | null;
}

export interface MentionCountsTable {
  org_id: string;
  watch_target_id: string | null;
  bucket_start: Timestamp;
  total: number;
  negative: number;
  positive: number;
  reposts: string;
  quotes: string;
  replies: string;
}

// 006_users.sql
export interface UsersTable {
  org_id: string;
  id: Generated<string>;
  name: string;
  email: string;
  role: 'pr_staff' | 'oncall_manager' | 'director' | 'admin';
  password_hash: string | null;
  disabled_at: Timestamp | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface SessionsTable {
  id_hash: Buffer;
  org_id: string;
  user_id: string;
  csrf_token: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  source_ip: string | null;
}

export interface UserTokensTable {
  org_id: string;
  id: Generated<string>;
  user_id: string;
  label: string;
  token_hash: Buffer;
  scopes: ('read' | 'read_pii' | 'write' | 'approve' | 'manage')[];
  created_at: Timestamp;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

export interface LoginThrottleTable {
  key: string;
  window_start: Timestamp;
  failures: number;
  locked_until: Timestamp | null;
}

export interface DetectorStatesTable {
  org_id: string;
  watch_target_id: string | null;
  bucket_ms: number;
  state: Json;
  last_bucket_start: Timestamp | null;
  updated_at: TimestampDefault;
}

export interface AlertsTable {
  org_id: string;
  id: Generated<string>;
  watch_target_id: string | null;
  episode_id: string;
  kind: 'crisis' | 'notice';
  status: 'open' | 'closed';
  severity: number;
  peak_score: number;
  opened_at: Timestamp;
  updated_at: Timestamp;
  closed_at: Timestamp | null;
  /** At the peak (with severity). */
  summary_ja: string;
  explanation: Json;
  latest_severity: number | null;
  latest_summary_ja: string | null;
  latest_at: Timestamp | null;
}

export interface AlertEventsTable {
  org_id: string;
  id: Generated<string>;
  alert_id: string;
  action: 'open' | 'escalate' | 'reopen' | 'update' | 'close';
  notify: boolean;
  severity: number;
  score: number;
  bucket_start: Timestamp;
  summary_ja: string;
  created_at: TimestampDefault;
}

export interface SourceActivitiesTable {
  org_id: string;
  source_id: string;
  event_id: string;
  kind: string;
  occurred_at: Timestamp;
  actor_id: string | null;
  is_private: Generated<boolean>;
  raw: Json | null;
  received_at: TimestampDefault;
}

// sql/003_alerting.sql
export interface MailOutboxTable {
  org_id: string;
  id: Generated<string>;
  dedupe_key: string;
  alert_id: string | null;
  alert_event_id: string | null;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  message_id: string;
  status: ColumnType<'pending' | 'sending' | 'sent' | 'failed', 'pending' | 'sending' | 'sent' | 'failed' | undefined, 'pending' | 'sending' | 'sent' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: TimestampDefault;
  locked_by: string | null;
  locked_until: Date | null;
  last_error: string | null;
  created_at: TimestampDefault;
  sent_at: Date | null;
  delivered_via: 'smtp' | 'preview' | null;
  delivery_detail: string | null;
}

export interface AuditLogTable {
  id: Generated<string>;
  chain: string;
  seq: string;
  org_id: string | null;
  at: Timestamp;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  before: Json | null;
  after: Json | null;
  request_id: string | null;
  source_ip: string | null;
  prev_hash: Buffer | null;
  hash: Buffer;
}

// sql/005_incidents.sql. The incidents code queries through postgres.js with its own row types
// (src/incidents/queries.ts); these keep Kysely in step with the tables.
type RoleName = 'pr_staff' | 'oncall_manager' | 'director' | 'admin';

export interface PlaybookVersionsTable {
  org_id: string;
  version: number;
  steps: Json;
  created_at: TimestampDefault;
  created_by: string | null;
}

export interface IncidentsTable {
  org_id: string;
  id: Generated<string>;
  title: string;
  status: 'triage' | 'active' | 'stable' | 'resolved' | 'closed' | 'cancelled';
  severity: number;
  risk_categories: Generated<string[]>;
  playbook_version: number;
  commander_role: RoleName | null;
  communications_role: RoleName | null;
  scribe_role: RoleName | null;
  detected_at: Timestamp;
  acknowledged_at: Timestamp | null;
  first_response_at: Timestamp | null;
  mitigated_at: Timestamp | null;
  resolved_at: Timestamp | null;
  closed_at: Timestamp | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface IncidentAlertsTable {
  org_id: string;
  alert_id: string;
  incident_id: string;
  attached_at: Timestamp;
}

export interface IncidentTasksTable {
  org_id: string;
  id: Generated<string>;
  incident_id: string;
  step_key: string;
  title: string;
  owner_role: RoleName;
  due_at: Timestamp;
  checklist: JsonDefault<string[]>;
  status: Generated<'open' | 'done' | 'skipped'>;
  done_by: string | null;
  done_at: Timestamp | null;
  created_at: TimestampDefault;
}

/** Append-only: a trigger refuses UPDATE and DELETE. */
export interface IncidentEventsTable {
  org_id: string;
  id: Generated<string>;
  incident_id: string;
  at: Timestamp;
  kind: string;
  actor_type: string;
  actor_id: string | null;
  data: JsonDefault<Record<string, unknown>>;
}

export interface Database {
  audit_log: AuditLogTable;
  mail_outbox: MailOutboxTable;
  detector_states: DetectorStatesTable;
  alerts: AlertsTable;
  alert_events: AlertEventsTable;
  source_activities: SourceActivitiesTable;
  organizations: OrganizationsTable;
  watch_targets: WatchTargetsTable;
  sources: SourcesTable;
  source_cursors: SourceCursorsTable;
  mentions: MentionsTable;
  mention_versions: MentionVersionsTable;
  mention_tombstones: MentionTombstonesTable;
  collector_runs: CollectorRunsTable;
  mention_counts: MentionCountsTable;
  users: UsersTable;
  sessions: SessionsTable;
  user_tokens: UserTokensTable;
  login_throttle: LoginThrottleTable;
  playbook_versions: PlaybookVersionsTable;
  incidents: IncidentsTable;
  incident_alerts: IncidentAlertsTable;
  incident_tasks: IncidentTasksTable;
  incident_events: IncidentEventsTable;
}
