import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { recordAudit, systemActor, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { advisoryKey, lockNames } from '../db/locks.ts';

// The platform's single API token, until user login arrives. Only its SHA-256 is stored; the
// token itself is shown once, when it is generated.

function hash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function generateToken(): string {
  return `hnk_${randomBytes(24).toString('base64url')}`;
}

/**
 * Makes sure a token exists. Returns the new token when one was generated now (to print once),
 * or null when HINOKO_API_TOKEN is set or a token was generated on an earlier start.
 */
export async function ensureApiToken(ctx: AppContext): Promise<string | null> {
  if (ctx.config.http.apiToken) return null;
  return ctx.sql.begin(async (tx) => {
    // Two instances starting together must not both generate (and print) a token.
    await tx`select pg_advisory_xact_lock(${advisoryKey(lockNames.bootstrap)}::bigint)`;
    const [existing] = await tx`select 1 from api_tokens limit 1`;
    if (existing) return null;
    const token = generateToken();
    await tx`insert into api_tokens (label, token_hash) values ('generated on first start', ${hash(token)})`;
    await recordAudit(tx, systemActor, { orgId: null, action: 'api_token.generate', targetType: 'api_token' });
    return token;
  });
}

/** Replaces every stored token with a new one (for a lost token). */
export async function rotateApiToken(ctx: AppContext, actor: AuditActor): Promise<string> {
  const token = generateToken();
  await ctx.sql.begin(async (tx) => {
    await tx`delete from api_tokens`;
    await tx`insert into api_tokens (label, token_hash) values ('rotated', ${hash(token)})`;
    await recordAudit(tx, actor, { orgId: null, action: 'api_token.rotate', targetType: 'api_token' });
  });
  return token;
}

export async function verifyApiToken(ctx: AppContext, presented: string | undefined | null): Promise<boolean> {
  if (!presented || presented.length > 512) return false;
  const configured = ctx.config.http.apiToken;
  if (configured) {
    const a = hash(presented);
    const b = hash(configured);
    return timingSafeEqual(a, b);
  }
  const rows = await ctx.sql`select 1 from api_tokens where token_hash = ${hash(presented)}`;
  return rows.length > 0;
}
