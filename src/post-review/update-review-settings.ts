import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { asJson } from '../db/connect.ts';
import { ValidationError } from '../errors.ts';
import { reviewSettingsOf, type ReviewSettings } from './queries.ts';

// How many colleagues approve a post before it may go out, and what the institution publishes
// about itself (allowed in its posts: its phone numbers, addresses, doctors' names as listed).

const limits = { phones: { count: 10, chars: 40 }, addresses: { count: 10, chars: 200 }, names: { count: 50, chars: 40 } } as const;

/** Trimmed, de-duplicated, within the limits; a refusal names the list and the limit. */
function cleanList(kind: keyof typeof limits, label: string, values: readonly string[]): string[] {
  const list = [...new Set(values.map((v) => v.trim()).filter(Boolean))];
  const { count, chars } = limits[kind];
  if (list.length > count) throw new ValidationError(`${label}は${count}件までです (at most ${count} ${kind})`);
  const long = list.find((v) => v.length > chars);
  if (long) throw new ValidationError(`${label}「${long.slice(0, 20)}…」が長すぎます（${chars}文字まで）`);
  return list;
}

export async function updateReviewSettings(
  ctx: AppContext,
  orgId: string,
  input: ReviewSettings,
  actor: AuditActor,
): Promise<ReviewSettings> {
  if (!Number.isInteger(input.reviewersRequired) || input.reviewersRequired < 1 || input.reviewersRequired > 5) {
    throw new ValidationError('承認に必要な人数は1〜5人です (reviewersRequired must be 1–5)');
  }
  const own = {
    phones: cleanList('phones', '電話番号', input.own.phones),
    addresses: cleanList('addresses', '住所', input.own.addresses),
    names: cleanList('names', '医師・職員の名前', input.own.names),
  };
  const before = await reviewSettingsOf(ctx.sql, orgId);
  await ctx.sql.begin(async (tx) => {
    await lockAuditChain(tx, orgId);
    await tx`
      update organizations set post_reviewers_required = ${input.reviewersRequired}, published_identifiers = ${tx.json(asJson(own))}
      where id = ${orgId}`;
    await recordAudit(tx, actor, {
      orgId,
      action: 'organization.post_review_settings',
      targetType: 'organization',
      targetId: orgId,
      before: { reviewersRequired: before.reviewersRequired, own: before.own },
      after: { reviewersRequired: input.reviewersRequired, own },
    });
  });
  return { reviewersRequired: input.reviewersRequired, own };
}
