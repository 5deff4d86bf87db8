import { createUser } from '../../auth/create-user.ts';
import { setPassword } from '../../auth/set-password.ts';
import { updateUser } from '../../auth/update-user.ts';
import { createUserToken } from '../../auth/user-tokens.ts';
import { findOrganization, listUsers, normalizeEmail } from '../../auth/users.ts';
import { roles, tokenScopes, type TokenScope } from '../../access/permissions.ts';
import type { AppContext } from '../../context.ts';
import { NotFoundError, UsageError } from '../../errors.ts';
import { createOrganization } from '../../organizations/organizations.ts';
import { idString, oneOf } from '../../validation.ts';
import { readStdin, stringOption, type CliCommand } from '../command.ts';
import { cliActor, withContext } from '../with-context.ts';
import type { Row } from '../../db/schema.ts';
import { usages } from './usage.ts';

// `hinoko users`: add (the bootstrap admin), list, disable, enable, password, token.

async function orgOf(ctx: AppContext, idOrSlug: string) {
  const org = await findOrganization(ctx.sql, idOrSlug);
  if (!org) throw new NotFoundError(`organization "${idOrSlug}" not found (give --org-name to create it)`);
  return org;
}

async function userOrg(ctx: AppContext, userId: string): Promise<string> {
  const [row] = await ctx.sql<Pick<Row<'users'>, 'org_id'>[]>`select org_id from users where id = ${userId}`;
  if (!row) throw new NotFoundError(`user ${userId} not found`);
  return row.org_id;
}

/** The CLI acts as the operator: an admin of the user's org for the verbs that ask. */
const operator = (orgId: string) => ({ userId: '0', orgId, role: 'admin' as const, via: 'token' as const, scopes: [...tokenScopes] });

export const usersCommand: CliCommand = {
  usage: usages.users,
  options: {
    org: { type: 'string' },
    'org-name': { type: 'string' },
    role: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    label: { type: 'string' },
    scopes: { type: 'string' },
  },
  allowPositionals: true,
  async run(args, io) {
    const [action, id, ...rest] = args.positionals;
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    const password = args.values['password-stdin'] ? await readStdin(io.stdin) : undefined;
    switch (action) {
      case 'add': {
        const orgArg = stringOption(args, 'org');
        if (!orgArg) throw new UsageError('--org ID|SLUG is required');
        const role = oneOf(stringOption(args, 'role'), '--role', roles);
        const email = normalizeEmail(stringOption(args, 'email') ?? '', '--email');
        const name = stringOption(args, 'name');
        if (!name) throw new UsageError('--name is required');
        const orgName = stringOption(args, 'org-name');
        const result = await withContext(
          async (ctx) => {
            let org = await findOrganization(ctx.sql, orgArg);
            if (!org && orgName) org = await createOrganization(ctx, { name: orgName, slug: orgArg }, cliActor());
            if (!org) throw new NotFoundError(`organization "${orgArg}" not found (give --org-name to create it)`);
            return { org, ...(await createUser(ctx, org.id, { name, email, role, password }, cliActor())) };
          },
          orgName === undefined ? {} : { createDatabase: io.stderr },
        );
        io.stdout.write(
          `added user ${result.user.id} (${result.user.email}, ${result.user.role}) to organization ${result.org.id} (${result.org.slug})\n`,
        );
        if (result.initialPassword) io.stdout.write(`password (shown only this once): ${result.initialPassword}\n`);
        return 0;
      }
      case 'list': {
        const orgArg = stringOption(args, 'org');
        if (!orgArg) throw new UsageError('--org ID|SLUG is required');
        const users = await withContext(async (ctx) => listUsers(ctx.sql, (await orgOf(ctx, orgArg)).id));
        const lines = users.map((u) => [u.id, u.role, u.disabledAt ? 'disabled' : 'active', u.email, u.name].join('\t'));
        io.stdout.write(['id\trole\tstate\temail\tname', ...lines].join('\n') + '\n');
        return 0;
      }
      case 'disable':
      case 'enable': {
        const userId = idString(id, 'USER_ID');
        const u = await withContext(async (ctx) =>
          updateUser(ctx, await userOrg(ctx, userId), userId, { disabled: action === 'disable' }, cliActor()),
        );
        io.stdout.write(`user ${u.id} ${u.disabledAt ? 'disabled' : 'enabled'}\n`);
        return 0;
      }
      case 'password': {
        const userId = idString(id, 'USER_ID');
        const result = await withContext(async (ctx) => {
          const orgId = await userOrg(ctx, userId);
          return setPassword(ctx, operator(orgId), orgId, userId, { newPassword: password }, cliActor());
        });
        io.stdout.write(`password of user ${userId} changed; their sessions ended\n`);
        if (result.generatedPassword) io.stdout.write(`password (shown only this once): ${result.generatedPassword}\n`);
        return 0;
      }
      case 'token': {
        const userId = idString(id, 'USER_ID');
        const label = stringOption(args, 'label');
        if (!label) throw new UsageError('--label is required (what the token is for)');
        const scopes: TokenScope[] = (stringOption(args, 'scopes') ?? tokenScopes.join(','))
          .split(',')
          .map((s) => oneOf(s.trim(), '--scopes', tokenScopes));
        const { token } = await withContext(async (ctx) => {
          const orgId = await userOrg(ctx, userId);
          return createUserToken(ctx, orgId, userId, { label, scopes, expiresAt: null }, cliActor());
        });
        io.stdout.write(`${token}\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown action "${action ?? ''}"; use add, list, disable, enable, password or token`);
    }
  },
};
