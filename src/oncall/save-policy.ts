import { asJson } from '../db/connect.ts';
import { recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { ValidationError } from '../errors.ts';
import { policyOf, type Policy } from './policy.ts';
import type { Row } from '../db/schema.ts';

/** Replaces the org's escalation policy; incidents already escalating keep the policy they started with. */
export async function savePolicy(ctx: AppContext, orgId: string, policy: Policy, actor: AuditActor): Promise<Policy> {
  return ctx.sql.begin(async (tx) => {
    const scheduleIds = [...new Set(policy.levels.flatMap((l) => l.targets.flatMap((t) => (t.type === 'schedule' ? [t.scheduleId] : []))))];
    const userIds = [...new Set(policy.levels.flatMap((l) => l.targets.flatMap((t) => (t.type === 'user' ? [t.userId] : []))))];
    if (scheduleIds.length > 0) {
      const found = await tx<
        Pick<Row<'oncall_schedules'>, 'id'>[]
      >`select id from oncall_schedules where org_id = ${orgId} and id in ${tx(scheduleIds)}`;
      const missing = scheduleIds.filter((id) => !found.some((f) => f.id === id));
      if (missing.length > 0) throw new ValidationError(`unknown schedule(s): ${missing.join(', ')}`);
    }
    if (userIds.length > 0) {
      const found = await tx<Pick<Row<'users'>, 'id'>[]>`select id from users where org_id = ${orgId} and id in ${tx(userIds)}`;
      const missing = userIds.filter((id) => !found.some((f) => f.id === id));
      if (missing.length > 0) throw new ValidationError(`unknown user(s): ${missing.join(', ')}`);
    }
    const before = await policyOf(tx, orgId);
    await tx`
      insert into escalation_policies (org_id, levels, repeat, updated_at) values (${orgId}, ${tx.json(asJson(policy.levels))}, ${policy.repeat}, now())
      on conflict (org_id) do update set levels = excluded.levels, repeat = excluded.repeat, updated_at = now()`;
    await recordAudit(tx, actor, { orgId, action: 'oncall.policy', targetType: 'organization', targetId: orgId, before, after: policy });
    return policy;
  }) as Promise<Policy>;
}
