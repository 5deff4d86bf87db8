import { addSource, listSources } from '../../collection/sources.ts';
import { updateSource } from '../../collection/update-source.ts';
import { UsageError, ValidationError } from '../../errors.ts';
import { sourceTypes } from '../../mention.ts';
import { idString, oneOf } from '../../validation.ts';
import { readStdin, stringOption, type CliCommand } from '../command.ts';
import { cliActor, withContext } from '../with-context.ts';
import { usages } from './usage.ts';

function parseConfigJson(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined) return {};
  try {
    const v: unknown = JSON.parse(raw);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error();
    return v as Record<string, unknown>;
  } catch {
    throw new ValidationError('--config must be a JSON object, e.g. \'{"query":"さくら内科"}\'');
  }
}

export const sourcesCommand: CliCommand = {
  usage: usages.sources,
  options: {
    org: { type: 'string' },
    type: { type: 'string' },
    name: { type: 'string' },
    config: { type: 'string' },
    schedule: { type: 'string' },
    clear: { type: 'boolean' },
  },
  allowPositionals: true,
  async run(args, io) {
    const [action, id, ...rest] = args.positionals;
    if (action === 'credential') {
      // A value on the command line would land in shell history and `ps`; stdin does not.
      const [slot, ...extra] = rest;
      if (!id || !slot || extra.length > 0)
        throw new UsageError('usage: hinoko sources credential ID NAME [--clear]  (value on standard input)');
      const value = args.values.clear ? null : await readStdin(io.stdin);
      if (value === '') throw new UsageError('no value on standard input (use --clear to remove the credential)');
      const s = await withContext((ctx) =>
        updateSource(ctx, idString(id, 'ID'), undefined, { credentials: { [slot]: value } }, cliActor()),
      );
      const state = s.credentials.find((c) => c.name === slot);
      io.stdout.write(`source ${s.id}: ${slot} ${state?.set ? '設定済み (set)' : '未設定 (not set)'}\n`);
      return 0;
    }
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    const orgArg = stringOption(args, 'org');
    const orgId = orgArg === undefined ? undefined : idString(orgArg, '--org');
    switch (action) {
      case 'list': {
        const sources = await withContext((ctx) => listSources(ctx, { orgId }));
        const credentials = (s: (typeof sources)[number]) =>
          s.credentials.map((c) => `${c.name}${c.set ? '' : c.required ? ':missing' : ':unset'}`).join(',') || '-';
        const lines = sources.map((s) =>
          [
            s.id,
            s.orgId,
            s.type,
            s.enabled ? 'enabled' : 'disabled',
            s.health,
            s.schedule || '-',
            s.name,
            credentials(s),
            s.healthMessage ?? '',
          ].join('\t'),
        );
        io.stdout.write(['id\torg\ttype\tstate\thealth\tschedule\tname\tcredentials\tproblem', ...lines].join('\n') + '\n');
        return 0;
      }
      case 'add': {
        if (!orgId) throw new UsageError('--org ID is required');
        const type = oneOf(stringOption(args, 'type'), '--type', sourceTypes);
        const name = stringOption(args, 'name');
        if (!name) throw new UsageError('--name is required');
        const config = parseConfigJson(stringOption(args, 'config'));
        const s = await withContext((ctx) =>
          addSource(ctx, { orgId, type, name, config, schedule: stringOption(args, 'schedule') }, cliActor()),
        );
        io.stdout.write(`added source ${s.id} (${s.type}, schedule "${s.schedule}")\n`);
        return 0;
      }
      case 'enable':
      case 'disable': {
        if (!id) throw new UsageError(`usage: hinoko sources ${action} ID`);
        const s = await withContext((ctx) =>
          updateSource(ctx, idString(id, 'ID'), undefined, { enabled: action === 'enable' }, cliActor()),
        );
        io.stdout.write(`source ${s.id} ${s.enabled ? 'enabled' : 'disabled'}\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown action "${action ?? ''}"; use list, add, enable, disable or credential`);
    }
  },
};
