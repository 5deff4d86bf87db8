import { asJson } from '../db/connect.ts';
import { recordAudit, systemActor } from '../audit/record.ts';
import { credentialEnvAllowed, readLegacyCredentialEnv } from './credential-env.ts';
import type { AppContext } from '../context.ts';
import { writeCredentials } from './source-credentials.ts';
import type { Row } from '../db/schema.ts';

// Sources saved before issue 11 name a server environment variable for each credential. At boot,
// each such value moves into its source's sealed store and the name leaves the config, so the
// source keeps working without reading the server's environment again.
// One exception is deliberate: a variable named by sources of more than one organisation is not
// moved for any of them. Before issue 11 any org admin could name any variable (another tenant's
// LINE secret, say), and from here we cannot tell the owner from the thief; the operator can (the
// warning names the sources), and either allows the name for one organisation
// (HINOKO_SOURCE_CREDENTIAL_ENV) or has the credential entered per source.

export interface SealEnvReport {
  sealed: { orgId: string; sourceId: string; slots: string[] }[];
  /** Variables named by several organisations' sources: left for the operator. */
  ambiguous: { name: string; sources: { orgId: string; sourceId: string }[] }[];
}

interface Reference {
  orgId: string;
  sourceId: string;
  slot: string;
  name: string;
}

/** Removes every `…Env` key (top level or one object down, as in oauth) whose value is one of `names`. */
function withoutEnvNames(config: Record<string, unknown>, names: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (k.endsWith('Env') && typeof v === 'string' && names.has(v)) continue;
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? withoutEnvNames(v as Record<string, unknown>, names) : v;
  }
  return out;
}

export async function sealEnvCredentials(ctx: AppContext): Promise<SealEnvReport> {
  const rows = await ctx.sql<Pick<Row<'sources'>, 'org_id' | 'id' | 'type' | 'config'>[]>`
    select org_id, id, type, config from sources order by org_id, id`;
  const refs: Reference[] = [];
  for (const row of rows) {
    const def = ctx.sources[row.type];
    if (!def) continue;
    let parsed: unknown;
    try {
      parsed = def.parseConfig(row.config);
    } catch {
      continue;
    }
    for (const slot of def.credentials) {
      const name = slot.envName(parsed);
      // Names the operator allows for this organisation stay references: that is their purpose.
      if (name !== null && !credentialEnvAllowed(ctx.config, row.org_id, name))
        refs.push({ orgId: row.org_id, sourceId: row.id, slot: slot.name, name });
    }
  }
  const orgsByName = new Map<string, Set<string>>();
  for (const r of refs) orgsByName.set(r.name, (orgsByName.get(r.name) ?? new Set()).add(r.orgId));
  const report: SealEnvReport = { sealed: [], ambiguous: [] };
  for (const [name, orgs] of orgsByName) {
    if (orgs.size > 1)
      report.ambiguous.push({ name, sources: refs.filter((r) => r.name === name).map(({ orgId, sourceId }) => ({ orgId, sourceId })) });
  }
  const ambiguous = new Set(report.ambiguous.map((a) => a.name));

  const bySource = new Map<string, Reference[]>();
  for (const r of refs) {
    if (ambiguous.has(r.name) || readLegacyCredentialEnv(r.name) === undefined) continue;
    bySource.set(r.sourceId, [...(bySource.get(r.sourceId) ?? []), r]);
  }
  for (const [sourceId, list] of bySource) {
    const orgId = list[0]!.orgId;
    const done = await ctx.sql.begin(async (tx) => {
      // Another instance booting at the same time may have moved them already.
      const [row] = await tx<Pick<Row<'sources'>, 'config'>[]>`
        select config from sources where org_id = ${orgId} and id = ${sourceId} for update`;
      if (!row) return null;
      const names = new Set(list.map((r) => r.name));
      const config = withoutEnvNames(row.config, names);
      if (JSON.stringify(config) === JSON.stringify(row.config)) return null;
      const values = Object.fromEntries(list.map((r) => [r.slot, readLegacyCredentialEnv(r.name)!]));
      const slots = await writeCredentials(tx, ctx.keys, { orgId, id: sourceId }, values, ctx.now());
      await tx`update sources set config = ${tx.json(asJson(config))}, updated_at = ${ctx.now()} where org_id = ${orgId} and id = ${sourceId}`;
      await recordAudit(tx, systemActor, {
        orgId,
        action: 'source.credentials_sealed',
        targetType: 'source',
        targetId: sourceId,
        before: { environmentVariables: [...names] },
        after: { credentialsSet: slots },
      });
      return slots;
    });
    if (done) report.sealed.push({ orgId, sourceId, slots: done });
  }
  for (const s of report.sealed) {
    ctx.log.info(
      { orgId: s.orgId, sourceId: s.sourceId, slots: s.slots },
      "環境変数の資格情報を収集元ごとに暗号化して保存しました (moved environment credentials into the source's sealed store)",
    );
  }
  for (const a of report.ambiguous) {
    ctx.log.warn(
      { variable: a.name, sources: a.sources },
      `環境変数 ${a.name} は複数の組織の収集元から参照されているため移行しませんでした。正しい組織の収集元に資格情報を入力してください ` +
        `(several organisations' sources name ${a.name}: not moved for any; enter the credential for the right source, or allow the name for one organisation with HINOKO_SOURCE_CREDENTIAL_ENV)`,
    );
  }
  return report;
}
