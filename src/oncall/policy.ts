import { normalizeEmailAddress, type Recipient } from '../notify/recipients.ts';
import type { Sql, Tx } from '../db/connect.ts';
import type { Narrowed, Row } from '../db/schema.ts';
import { ValidationError } from '../errors.ts';
import { object } from '../validation.ts';
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

const idPattern = /^[1-9][0-9]{0,18}$/;

function parseTarget(v: unknown, field: string): Target {
  const o = object(v, ['type', 'scheduleId', 'userId', 'address'], field);
  const id = (x: unknown, name: string) => {
    const s = typeof x === 'number' ? String(x) : x;
    if (typeof s !== 'string' || !idPattern.test(s)) throw new ValidationError(`${field}.${name} must be an id`);
    return s;
  };
  if (o.type === 'schedule' && o.userId === undefined && o.address === undefined) return { type: 'schedule', scheduleId: id(o.scheduleId, 'scheduleId') };
  if (o.type === 'user' && o.scheduleId === undefined && o.address === undefined) return { type: 'user', userId: id(o.userId, 'userId') };
  if (o.type === 'address' && o.scheduleId === undefined && o.userId === undefined) {
    const address = typeof o.address === 'string' ? normalizeEmailAddress(o.address) : null;
    if (!address) throw new ValidationError(`${field}.address must be a plain e-mail address`);
    return { type: 'address', address };
  }
  throw new ValidationError(`${field} must be {type:"schedule",scheduleId} | {type:"user",userId} | {type:"address",address}`);
}

export function parsePolicy(body: unknown): Policy {
  const o = object(body, ['levels', 'repeat']);
  if (!Array.isArray(o.levels) || o.levels.length < 1 || o.levels.length > 10) throw new ValidationError('levels must list 1 to 10 levels');
  const levels = o.levels.map((l, i) => {
    const lo = object(l, ['timeoutMinutes', 'targets'], `levels[${i}]`);
    if (typeof lo.timeoutMinutes !== 'number' || !Number.isInteger(lo.timeoutMinutes) || lo.timeoutMinutes < 1 || lo.timeoutMinutes > 1440) {
      throw new ValidationError(`levels[${i}].timeoutMinutes must be an integer from 1 to 1440`);
    }
    if (!Array.isArray(lo.targets) || lo.targets.length < 1 || lo.targets.length > 20) throw new ValidationError(`levels[${i}].targets must list 1 to 20 targets`);
    return { timeoutMinutes: lo.timeoutMinutes, targets: lo.targets.map((t, j) => parseTarget(t, `levels[${i}].targets[${j}]`)) };
  });
  const repeat = o.repeat ?? 1;
  if (typeof repeat !== 'number' || !Number.isInteger(repeat) || repeat < 1 || repeat > 10) throw new ValidationError('repeat must be an integer from 1 to 10');
  return { levels, repeat };
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
  return { ...row.definition, overrides: overrides.map((o) => ({ id: o.id, userId: o.user_id, startsAt: o.starts_at, endsAt: o.ends_at })) };
}

/** The on-call user of a schedule at `at`, if they exist and are not disabled. */
export async function oncallUser(q: Sql | Tx, orgId: string, scheduleId: string, at: Date): Promise<{ id: string; name: string; email: string } | null> {
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
    const user = t.type === 'user'
      ? (await q<Pick<Row<'users'>, 'id' | 'email'>[]>`select id, email from users where org_id = ${orgId} and id = ${t.userId} and disabled_at is null`)[0]
      : await oncallUser(q, orgId, t.scheduleId, at);
    if (user) out.set(user.email.toLowerCase(), { address: user.email, userId: user.id });
  }
  return [...out.values()];
}
