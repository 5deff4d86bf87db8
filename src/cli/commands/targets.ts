import { listSources } from '../../collection/sources.ts';
import { UsageError, ValidationError } from '../../errors.ts';
import { listWatchTargets, createWatchTarget, type WatchTargetInput } from '../../organizations/organizations.ts';
import { removeWatchTarget } from '../../organizations/remove-watch-target.ts';
import { WatchTargetFields } from '../../organizations/routes.ts';
import { updateWatchTarget } from '../../organizations/update-watch-target.ts';
import { previewTargetQueries } from '../../sources/query-preview.ts';
import { idString } from '../../validation.ts';
import { stringOption, type CliCommand, type ParsedArgs } from '../command.ts';
import { cliActor, withContext } from '../with-context.ts';
import { usages } from './usage.ts';

// `hinoko targets`: the watch targets of an organisation, as the settings page manages them.
// Repeated options build the lists (--keyword 予約 --keyword 院長); on update, a list given
// replaces the stored one and a list not given is kept. Input is checked by the API's schema.

function many(args: ParsedArgs, name: 'names' | 'keyword' | 'handle' | 'exclude'): string[] | undefined {
  const v = args.values[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

function handles(pairs: string[] | undefined): Record<string, string> | undefined {
  if (!pairs) return undefined;
  return Object.fromEntries(
    pairs.map((p) => {
      const at = p.indexOf('=');
      if (at <= 0) throw new UsageError(`--handle takes NETWORK=ACCOUNT (e.g. x=sakura_clinic), got "${p}"`);
      return [p.slice(0, at).trim().toLowerCase(), p.slice(at + 1).trim()];
    }),
  );
}

function fieldsFrom(args: ParsedArgs): Partial<WatchTargetInput> {
  const given = {
    name: stringOption(args, 'name'),
    names: many(args, 'names'),
    keywords: many(args, 'keyword'),
    handles: handles(many(args, 'handle')),
    exclusions: many(args, 'exclude'),
  };
  const parsed = WatchTargetFields.partial().safeParse(Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(`${issue.path.join('.') || 'input'}: ${issue.message}`);
  }
  return parsed.data;
}

export const targetsCommand: CliCommand = {
  usage: usages.targets,
  options: {
    org: { type: 'string' },
    name: { type: 'string' },
    names: { type: 'string', multiple: true },
    keyword: { type: 'string', multiple: true },
    handle: { type: 'string', multiple: true },
    exclude: { type: 'string', multiple: true },
    queries: { type: 'boolean' },
  },
  allowPositionals: true,
  async run(args, io) {
    const [action, id, ...rest] = args.positionals;
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    const orgArg = stringOption(args, 'org');
    if (orgArg === undefined) throw new UsageError(`--org ID is required\nusage: ${targetsCommand.usage}`);
    const orgId = idString(orgArg, '--org');
    const needId = () => {
      if (!id) throw new UsageError(`usage: hinoko targets ${action} ID --org ID`);
      return idString(id, 'ID');
    };
    switch (action) {
      case 'list': {
        const [targets, sources] = await withContext(async (ctx) =>
          Promise.all([listWatchTargets(ctx.db, orgId), args.values.queries ? listSources(ctx, { orgId }) : []]),
        );
        const lines = ['id\tname\tnames\tkeywords\thandles\texclusions'];
        for (const t of targets) {
          const handleList = Object.entries(t.handles).map(([k, v]) => `${k}=${v}`);
          lines.push([t.id, t.name, ...[t.names, t.keywords, handleList, t.exclusions].map((l) => l.join(',') || '-')].join('\t'));
          if (args.values.queries) {
            for (const p of previewTargetQueries(t, sources)) {
              for (const q of p.queries) lines.push(`\t${p.network}\t${q}`);
              for (const n of p.notes) lines.push(`\t${p.network}\t(${n})`);
            }
          }
        }
        io.stdout.write(lines.join('\n') + '\n');
        return 0;
      }
      case 'add': {
        const fields = fieldsFrom(args);
        if (!fields.name) throw new UsageError('--name is required');
        const input: WatchTargetInput = {
          name: fields.name,
          names: fields.names ?? [fields.name],
          keywords: fields.keywords ?? [],
          handles: fields.handles ?? {},
          exclusions: fields.exclusions ?? [],
        };
        const t = await withContext((ctx) => createWatchTarget(ctx, orgId, input, cliActor()));
        io.stdout.write(`added watch target ${t.id} (${t.name})\n`);
        return 0;
      }
      case 'update': {
        const targetId = needId();
        const fields = fieldsFrom(args);
        if (Object.keys(fields).length === 0)
          throw new UsageError('nothing to change: give --name, --names, --keyword, --handle or --exclude');
        const t = await withContext((ctx) => updateWatchTarget(ctx, orgId, targetId, fields, cliActor()));
        io.stdout.write(`updated watch target ${t.id} (${t.name})\n`);
        return 0;
      }
      case 'remove': {
        const targetId = needId();
        await withContext((ctx) => removeWatchTarget(ctx, orgId, targetId, { userId: null }, cliActor()));
        io.stdout.write(`removed watch target ${targetId} (archived: its posts and incidents keep its name)\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown action "${action ?? ''}"; use list, add, update or remove`);
    }
  },
};
