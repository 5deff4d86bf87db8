import { recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { listWatchTargets } from '../organizations/organizations.ts';
import { SourceAuthError } from '../sources/types.ts';
import { errorMessage, runtimeFor } from './run-source.ts';
import { definitionFor, getSource, validateConfig } from './sources.ts';

// 「接続テスト」: one real request, as the collector would make it (its credentials, the outbound
// guard, the platform's own URL), and what came back. Nothing is stored but the audit row: the
// posts it read are counted and dropped, the cursor does not move, the source's health stays.

export interface ConnectionTestResult {
  ok: boolean;
  /** What was asked and answered; null when nothing was sent (a bad config, a push source). */
  request: { url: string; status: number; contentType: string | null; ms: number } | null;
  /** Posts the collector read from that one answer (null when it needs more than one request to say). */
  posts: number | null;
  message: string;
}

/** Thrown at the second request: the test makes one. */
class OneRequestDone extends Error {}

const TEST_TIMEOUT_MS = 15_000;

export async function testSourceConnection(
  ctx: AppContext,
  orgId: string,
  sourceId: string,
  actor: AuditActor,
): Promise<ConnectionTestResult> {
  const source = await getSource(ctx, sourceId, orgId);
  const def = definitionFor(ctx, source.type);
  const result = await probe(ctx, source, def);
  await ctx.sql.begin((tx) =>
    recordAudit(tx, actor, {
      orgId,
      action: 'source.test',
      targetType: 'source',
      targetId: source.id,
      after: { ok: result.ok, status: result.request?.status ?? null, posts: result.posts },
    }),
  );
  return result;
}

async function probe(
  ctx: AppContext,
  source: Awaited<ReturnType<typeof getSource>>,
  def: ReturnType<typeof definitionFor>,
): Promise<ConnectionTestResult> {
  if (!def.collect) {
    return {
      ok: true,
      request: null,
      posts: null,
      message:
        'このソースはプラットフォームから Webhook で届きます。こちらから接続するものはありません（Webhook の URL を相手の設定画面に登録してください）。',
    };
  }
  let config: unknown;
  try {
    config = validateConfig(ctx, def, source.orgId, source.config);
  } catch (err) {
    return { ok: false, request: null, posts: null, message: `設定が正しくありません: ${errorMessage(err)}` };
  }
  const missing = def.requiredCredentials(config).filter((name) => !source.credentials.some((c) => c.name === name && c.set));
  if (missing.length > 0) {
    return { ok: false, request: null, posts: null, message: `認証情報が未設定です: ${missing.join('、')}` };
  }
  const timeout = AbortSignal.timeout(TEST_TIMEOUT_MS);
  const runtime = await runtimeFor({ ...ctx, shutdown: AbortSignal.any([ctx.shutdown, timeout]) }, source, def, config);
  let request: ConnectionTestResult['request'] = null;
  const fetchOnce: typeof fetch = async (input, init) => {
    if (request) throw new OneRequestDone();
    const url = new URL(input instanceof Request ? input.url : String(input));
    const started = performance.now();
    const res = await runtime.fetch(input, init);
    // The path without its query: a query may carry an API key (YouTube's key=…).
    request = { url: `${url.origin}${url.pathname}`, status: res.status, contentType: res.headers.get('content-type'), ms: 0 };
    request.ms = Math.round(performance.now() - started);
    return res;
  };
  const targets = await listWatchTargets(ctx.db, source.orgId);
  try {
    const pages = def.collect({ config, cursor: null, targets, runtime: { ...runtime, fetch: fetchOnce } });
    for await (const page of pages) {
      return answer(request, page.mentions.length, null);
    }
    return answer(request, 0, null);
  } catch (err) {
    if (err instanceof OneRequestDone) return answer(request, null, null);
    const reason =
      err instanceof SourceAuthError
        ? `認証が拒否されました: ${err.message}`
        : timeout.aborted
          ? '応答がありません（15秒）'
          : errorMessage(err);
    return answer(request, null, reason);
  } finally {
    await runtime.close();
  }
}

function answer(request: ConnectionTestResult['request'], posts: number | null, failure: string | null): ConnectionTestResult {
  if (failure !== null) return { ok: false, request, posts, message: failure };
  if (!request) return { ok: true, request, posts, message: '要求を送らずに終わりました（読むものがない設定です）。' };
  const got = posts === null ? '応答を受け取りました（投稿の数は続きの要求で分かります）。' : `応答から投稿を ${posts} 件読めました。`;
  return { ok: request.status < 400, request, posts, message: request.status < 400 ? got : `HTTP ${request.status} が返りました。` };
}
