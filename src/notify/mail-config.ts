import type { AppContext } from '../context.ts';
import type { MailEnqueueConfig } from './enqueue-alert-mails.ts';
import type { IncidentMailConfig } from './enqueue-incident-mails.ts';
import { installationIdOf } from './installation.ts';

// The one place the configuration for queueing mail is assembled: from the config, the server
// keys and the installation id. Async because the installation id may have to be read (once per
// process) — so call these BEFORE opening a transaction and pass the result in: inside a
// transaction nothing may query through ctx.sql.

/** For mail about an incident (pages, follow-ups, overdue tasks) at `now`. */
export async function incidentMailConfigFor(ctx: AppContext, now: Date): Promise<IncidentMailConfig> {
  const { config, keys } = ctx;
  return {
    from: config.mail.from,
    publicUrl: config.mail.publicUrl,
    installationId: await installationIdOf(ctx.sql),
    ackKey: keys.ackLinks,
    ackLinkTtlMs: config.oncall.ackLinkTtlMs,
    now,
  };
}

/** For the detection pass's alert mail (src/detection-pass/run-detection.ts), incident mail included. */
export async function mailEnqueueConfigFor(ctx: AppContext, now: Date): Promise<MailEnqueueConfig & { incident: IncidentMailConfig }> {
  const incident = await incidentMailConfigFor(ctx, now);
  return { from: incident.from, publicUrl: incident.publicUrl, installationId: incident.installationId, incident };
}
