import { serve, type ServerType } from '@hono/node-server';
import { defaultRetryPolicy } from './notify/backoff.ts';
import { Mailer } from './notify/mailer.ts';
import { warnAboutMailSetup } from './notify/warn-about-mail-setup.ts';
import { auditCheckpointJob } from './audit/checkpoint-job.ts';
import { escalationJob } from './oncall/escalation-job.ts';
import { previewDir, transportFor } from './notify/transports.ts';
import { ensureBootstrapAdmin } from './auth/bootstrap-admin.ts';
import { ensureDemo } from './bootstrap/demo.ts';
import { setUpDemoOncall } from './bootstrap/demo-oncall.ts';
import { collectionScheduleJob } from './collection/scheduler.ts';
import { sealEnvCredentials } from './collection/seal-env-credentials.ts';
import type { Config } from './config.ts';
import { AppError } from './errors.ts';
import type { AppContext } from './context.ts';
import { processContext } from './bootstrap/process-context.ts';
import { openDatabase, type OpenDatabase } from './db/open.ts';
import { createApp } from './server/app.ts';
import { analysisBacklogJob } from './ingest/analysis-backlog-job.ts';
import { Jobs } from './jobs/runner.ts';
import { logger } from './logger.ts';
import { loadPipelineStages } from './pipeline-stages.ts';
import { retentionJob } from './privacy/retention-job.ts';

export interface RunningService {
  ctx: AppContext;
  url: string;
  stop(): Promise<void>;
}

/** Workers get this long to finish after SIGTERM. */
const DRAIN_MS = 10_000;

function listen(app: ReturnType<typeof createApp>, host: string, port: number): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info) => resolve({ server, port: info.port }));
    server.once('error', (err: NodeJS.ErrnoException) => {
      // The one line an operator needs, not a stack.
      if (err.code === 'EADDRINUSE')
        reject(
          new AppError(
            'unavailable',
            `ポート ${port} (${host}) は既に使われています。PORT で別のポートを指定してください (port ${port} on ${host} is already in use, EADDRINUSE; set PORT)`,
          ),
        );
      else if (err.code === 'EACCES')
        reject(
          new AppError(
            'unavailable',
            `ポート ${port} (${host}) で待ち受ける権限がありません (no permission to listen on ${host}:${port}, EACCES)`,
          ),
        );
      else if (err.code === 'EADDRNOTAVAIL')
        reject(
          new AppError(
            'unavailable',
            `アドレス ${host} はこのマシンにありません (address ${host} is not available here, EADDRNOTAVAIL; check HOST)`,
          ),
        );
      else reject(err);
    });
  });
}

/**
 * The composition root: config → database (embedded unless DATABASE_URL) → migrations →
 * context → first-start bootstrap → HTTP + background jobs. stop() undoes it in reverse order.
 */
export async function startService(config: Readonly<Config>, out: NodeJS.WritableStream = process.stdout): Promise<RunningService> {
  logger.level = config.logLevel;
  const startedAt = new Date();
  const shutdown = new AbortController();
  let database: OpenDatabase | undefined;
  let stopServer: (() => Promise<void>) | undefined;
  let jobs: Jobs | undefined;
  try {
    database = await openDatabase(config);
    const stages = await loadPipelineStages(config);
    const ctx = await processContext(config, database, { shutdown: shutdown.signal, ...stages });

    await sealEnvCredentials(ctx);
    const demo = await ensureDemo(ctx, startedAt);
    const admin = demo.orgId ? await ensureBootstrapAdmin(ctx, demo.orgId) : null;
    if (admin && demo.orgId) {
      await setUpDemoOncall(ctx, demo.orgId, admin.userId, startedAt);
      out.write(
        `\n管理者を作成しました。パスワードの表示はこの一度だけです。安全な場所に保管してください。\n` +
          `Created the first admin; the password is shown only this once:\n\n` +
          `    email:    ${admin.email}\n    password: ${admin.password}\n\n` +
          `(Lost it? \`npx hinoko users add --org ORG --role admin --email …\` adds another admin.)\n` +
          `デモでは この管理者が当番です: 炎上するとメールが届きます${config.mail.smtpUrl ? '' : ` (SMTP_URL 未設定のため ${previewDir(config.dataDir)} に .eml として保存)`}。\n` +
          `In the demo this admin is on call and is paged when the flare-up starts.\n\n`,
      );
    } else if ((await ctx.sql`select 1 from users limit 1`).length === 0) {
      logger.warn(
        '利用者がいません。`npx hinoko users add --org <slug> --org-name <名前> --role admin --email <メール> --name <氏名>` で管理者を作成してください (no users yet: create an admin with `hinoko users add`)',
      );
    }
    if (demo.flareAt) {
      logger.info(
        { orgId: demo.orgId, flareAt: demo.flareAt.toISOString() },
        `デモ: 炎上エピソードは ${Math.round((demo.flareAt.getTime() - startedAt.getTime()) / 1000)} 秒後に始まります (demo flare-up scheduled)`,
      );
    }

    // Jobs are built now and started only once the port is ours: a start that fails (port in
    // use) must not leave collectors and mailers running in a process that is about to exit.
    // Alert e-mail: sends outbox rows after detection commits them (SMTP, or .eml previews).
    const mailer = new Mailer(ctx, {
      transport: transportFor({ smtpUrl: config.mail.smtpUrl, dataDir: config.dataDir }),
      from: config.mail.from,
      retry: { ...defaultRetryPolicy, maxAttempts: config.mail.maxAttempts },
      pollMs: config.mail.pollMs,
    });
    const backlog = analysisBacklogJob();
    // Started and stopped in this order. The checkpoint first: on the way down its final pass runs
    // while the database is surely there. Then what produces work before what consumes it.
    const running = new Jobs<AppContext>(ctx, [
      auditCheckpointJob(config.audit.checkpointMs),
      ...(config.scheduler.enabled ? [collectionScheduleJob()] : []),
      backlog,
      stages.detection,
      escalationJob(config.oncall.pollMs),
      retentionJob(),
      ...mailer.jobs(),
    ]);
    const app = createApp(ctx, {
      onWebhookStored: () => backlog.wakeup.wake(),
      workers: () => ({
        detection: running.lastPassAt('detection'),
        mail: running.lastPassAt('mail'),
        escalation: running.lastPassAt('escalation'),
      }),
    });
    const { server, port } = await listen(app, config.http.host, config.http.port);
    stopServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
    // Should a job fail to start (the database went away just now), the catch below stops every
    // job, started or not: a failed start leaves nothing running.
    jobs = running;
    await running.start();
    logger.info(
      { via: mailer.transportKind },
      mailer.transportKind === 'smtp'
        ? 'アラートメールは SMTP で送信します (alert mail via SMTP)'
        : 'SMTP_URL が未設定のため、アラートメールはデータディレクトリの mail-preview/ に保存します (alert mail previews only)',
    );
    warnAboutMailSetup(config, logger);
    const url = `http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${port}`;
    logger.info({ url, database: database.embedded ? 'embedded' : 'external' }, `Hinoko を起動しました (listening on ${url})`);

    let stopping: Promise<void> | undefined;
    const db = database;
    return {
      ctx,
      url,
      stop() {
        stopping ??= (async () => {
          logger.info('停止しています (shutting down)');
          shutdown.abort();
          const closing = new Promise<void>((resolve) => server.close(() => resolve()));
          // Keep-alive connections would hold close() open; the workers below are what matter.
          if ('closeAllConnections' in server) server.closeAllConnections();
          const drained = (async () => {
            await closing;
            // In the order built above: the checkpoint's final pass first.
            await running.stop();
          })();
          // An orchestrator's SIGKILL follows SIGTERM after a grace period (often 10-30 s): work
          // still running after DRAIN_MS is cut off here, where the database still closes
          // cleanly. Every worker is idempotent, so what was cut off is redone after restart.
          const timedOut = await Promise.race([
            drained.then(() => false),
            new Promise<boolean>((resolve) => setTimeout(() => resolve(true), DRAIN_MS).unref()),
          ]);
          if (timedOut)
            logger.warn(
              `${DRAIN_MS / 1000} 秒以内に終わらなかった処理を打ち切ります (work still running after ${DRAIN_MS / 1000} s is cut off)`,
            );
          await db.shutdown();
          logger.info('停止しました (stopped)');
        })();
        return stopping;
      },
    };
  } catch (err) {
    shutdown.abort();
    await jobs?.stop();
    await stopServer?.();
    await database?.shutdown();
    throw err;
  }
}
