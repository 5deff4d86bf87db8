import { recordAudit, type AuditActor } from '../audit/record.ts';
import type { Sql } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { NotFoundError } from '../errors.ts';

// The organisation's static alert recipients and thresholds, organizations.settings.alerting =
// { recipients, minSeverity, notices }. With an escalation policy (src/oncall) pages go to whoever
// the policy names; these recipients are the single level used when there is no policy, and the
// recipients of alerts that belong to no incident (notices, a positive surge, only when opted in).

export interface AlertingSettings {
  recipients: string[];
  /** Crisis alerts at or above this severity are mailed (opening, and escalation past it). */
  minSeverity: 1 | 2 | 3 | 4 | 5;
  /** Notices (a positive surge) are mailed only when the org opted in. */
  notices: boolean;
}

export const defaultAlertingSettings: AlertingSettings = Object.freeze({ recipients: [], minSeverity: 3, notices: false });

/** Who a page goes to: the address, and the user behind it when there is one (for "who acknowledged"). */
export interface Recipient {
  address: string;
  userId: string | null;
}

export const MAX_RECIPIENTS = 20;

// A deliberately narrow addr-spec: dot-atoms only, no quoted local parts, no comments, no
// display names, no whitespace or control characters. Anything that reaches the To: header
// must not be able to carry a CR/LF or a second address.
const localPart = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const domainPart = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,61}[A-Za-z0-9]$/;

/** The address normalised (domain lower-cased), or null when it is not a plain address. */
export function normalizeEmailAddress(raw: string): string | null {
  if (raw.length > 254) return null;
  const at = raw.lastIndexOf('@');
  if (at <= 0 || at !== raw.indexOf('@')) return null;
  const local = raw.slice(0, at);
  const domain = raw.slice(at + 1);
  if (local.length > 64 || !localPart.test(local) || !domainPart.test(domain)) return null;
  return `${local}@${domain.toLowerCase()}`;
}

/**
 * The settings as stored, read defensively: a hand-edited or older settings document falls
 * back field by field to the defaults and drops addresses that are not plain addresses, rather
 * than failing the detection transaction that reads it.
 */
export function alertingSettingsOf(orgSettings: unknown): AlertingSettings {
  const raw = orgSettings && typeof orgSettings === 'object' ? (orgSettings as { alerting?: unknown }).alerting : undefined;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { ...defaultAlertingSettings, recipients: [] };
  const a = raw as Record<string, unknown>;
  const recipients = Array.isArray(a.recipients)
    ? [
        ...new Set(
          a.recipients
            .slice(0, MAX_RECIPIENTS)
            .flatMap((r) => (typeof r === 'string' ? [normalizeEmailAddress(r)] : []))
            .filter((r): r is string => r !== null),
        ),
      ]
    : [];
  const minSeverity =
    typeof a.minSeverity === 'number' && Number.isInteger(a.minSeverity) && a.minSeverity >= 1 && a.minSeverity <= 5
      ? (a.minSeverity as AlertingSettings['minSeverity'])
      : defaultAlertingSettings.minSeverity;
  return { recipients, minSeverity, notices: a.notices === true };
}

export async function getAlertingSettings(sql: Sql, orgId: string): Promise<AlertingSettings> {
  const [row] = await sql<Pick<Row<'organizations'>, 'settings'>[]>`select settings from organizations where id = ${orgId}`;
  if (!row) throw new NotFoundError(`organization ${orgId} not found`);
  return alertingSettingsOf(row.settings);
}

/**
 * Merges the patch into the stored settings (fields not in the patch keep their values) and
 * records who changed what in the audit log, in one transaction.
 */
export async function updateAlertingSettings(
  sql: Sql,
  orgId: string,
  patch: Partial<AlertingSettings>,
  actor: AuditActor,
): Promise<AlertingSettings> {
  return sql.begin(async (tx) => {
    const [current] = await tx<Pick<Row<'organizations'>, 'settings'>[]>`select settings from organizations where id = ${orgId} for update`;
    if (!current) throw new NotFoundError(`organization ${orgId} not found`);
    const [row] = await tx<Pick<Row<'organizations'>, 'settings'>[]>`
      update organizations
      set settings = settings || jsonb_build_object('alerting',
        case when jsonb_typeof(settings -> 'alerting') = 'object' then settings -> 'alerting' else '{}'::jsonb end || ${tx.json(patch)}::jsonb)
      where id = ${orgId}
      returning settings`;
    const after = alertingSettingsOf(row!.settings);
    await recordAudit(tx, actor, {
      orgId,
      action: 'alerting.configure',
      targetType: 'organization',
      targetId: orgId,
      before: alertingSettingsOf(current.settings),
      after,
    });
    return after;
  }) as Promise<AlertingSettings>;
}
