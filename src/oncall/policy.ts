import type { Recipient } from '../notify/recipients.ts';
import type { Sql, Tx } from '../db/connect.ts';
import type { Narrowed, Row } from '../db/schema.ts';
import { whoIsOnCall, type Schedule, type ScheduleDefinition } from './schedule.ts';

// Escalation policy: levels paged in order, each waiting `timeoutMinutes` for an acknowledgement
// before the next; the whole list is run `repeat` times. Targets are resolved when a level is
// paged (so a schedule pages whoever is on call then), never earlier.

export type Target = { type: 'schedule'; scheduleId: string } | { type: 'user'; userId: string } | { type: 'address'; address: string };
export interface Level {
  timeoutMinutes: number;
  targets: Target[];
}
export interface Policy {
  levels: Level[];
  repeat: number;
}

type PolicyRow = Narrowed<Pick<Row<'escalation_policies'>, 'levels' | 'repeat'>, { levels: Level[] }>;
type ScheduleRow = Narrowed<Pick<Row<'oncall_schedules'>, 'definition'>, { definition: ScheduleDefinition }>;

export async function policyOf(q: Sql | Tx, orgId: string): Promise<Policy | null> {
  const [row] = await q<PolicyRow[]>`select levels, repeat from escalation_policies where org_id = ${orgId}`;
  return row ? { levels: row.levels, repeat: row.repeat } : null;
}

export async function loadSchedule(q: Sql | Tx, orgId: string, scheduleId: string): Promise<Schedule | null> {
  const [row] = await q<ScheduleRow[]>`select definition from oncall_schedules where org_id = ${orgId} and id = ${scheduleId}`;
  if (!row) return null;
  const overrides = await q<Pick<Row<'oncall_overrides'>, 'id' | 'user_id' | 'starts_at' | 'ends_at'>[]>`
    select id, user_id, starts_at, ends_at from oncall_overrides where org_id = ${orgId} and schedule_id = ${scheduleId}`;
  return {
    ...row.definition,
    overrides: overrides.map((o) => ({ id: o.id, userId: o.user_id, startsAt: o.starts_at, endsAt: o.ends_at })),
  };
}

/** The org's schedules, each with its rotations. */
export async function listSchedules(q: Sql | Tx, orgId: string): Promise<({ id: string; name: string } & ScheduleDefinition)[]> {
  const rows = await q<Narrowed<Pick<Row<'oncall_schedules'>, 'id' | 'name' | 'definition'>, { definition: ScheduleDefinition }>[]>`
    select id, name, definition from oncall_schedules where org_id = ${orgId} order by id`;
  return rows.map((s) => ({ id: s.id, name: s.name, ...s.definition }));
}

/**
 * Who is on call for a schedule at `at`, with their user (disabled or not: the answer says who the
 * rotation names); null when the schedule does not exist.
 */
export async function onCallAt(q: Sql | Tx, orgId: string, scheduleId: string, at: Date) {
  const schedule = await loadSchedule(q, orgId, scheduleId);
  if (!schedule) return null;
  const who = whoIsOnCall(schedule, at);
  const [user] = who
    ? await q<Pick<Row<'users'>, 'id' | 'name' | 'email'>[]>`
    select id, name, email from users where org_id = ${orgId} and id = ${who.userId}`
    : [];
  return { at, onCall: who ? { ...who, user: user ?? null } : null };
}

/** The on-call user of a schedule at `at`, if they exist and are not disabled. */
export async function oncallUser(
  q: Sql | Tx,
  orgId: string,
  scheduleId: string,
  at: Date,
): Promise<{ id: string; name: string; email: string } | null> {
  const schedule = await loadSchedule(q, orgId, scheduleId);
  const who = schedule ? whoIsOnCall(schedule, at) : null;
  if (!who) return null;
  const [user] = await q<Pick<Row<'users'>, 'id' | 'name' | 'email'>[]>`
    select id, name, email from users where org_id = ${orgId} and id = ${who.userId} and disabled_at is null`;
  return user ?? null;
}

/** A level's targets as addresses at `at`, deduplicated; unknown or disabled users are skipped. */
export async function resolveTargets(q: Sql | Tx, orgId: string, targets: Target[], at: Date): Promise<Recipient[]> {
  const out = new Map<string, Recipient>();
  for (const t of targets) {
    if (t.type === 'address') {
      if (!out.has(t.address.toLowerCase())) out.set(t.address.toLowerCase(), { address: t.address, userId: null });
      continue;
    }
    const user =
      t.type === 'user'
        ? (
            await q<
              Pick<Row<'users'>, 'id' | 'email'>[]
            >`select id, email from users where org_id = ${orgId} and id = ${t.userId} and disabled_at is null`
          )[0]
        : await oncallUser(q, orgId, t.scheduleId, at);
    if (user) out.set(user.email.toLowerCase(), { address: user.email, userId: user.id });
  }
  return [...out.values()];
}
