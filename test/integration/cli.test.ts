import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { ingest, ingestDepsFrom } from '../../src/ingest/pipeline.ts';
import { makeOrg, makeSource, mentionFixture, testContext } from '../factories/index.ts';

const bin = fileURLToPath(new URL('../../bin/hinoko.mjs', import.meta.url));
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

function hinoko(
  args: string[],
  env: Record<string, string> = {},
  stdin?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        DATABASE_URL: db.url,
        HINOKO_SECRET: 'cli-test-server-secret-0123456789abcdef',
        HINOKO_LOG_LEVEL: 'error',
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdin.end(stdin ?? '');
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('hinoko CLI', () => {
  it('prints help listing every command', async () => {
    const r = await hinoko(['--help']);
    expect(r.code).toBe(0);
    for (const c of [
      'start',
      'migrate',
      'collect',
      'import',
      'sources',
      'targets',
      'seed',
      'analyze',
      'detect',
      'reanalyze',
      'backtest',
      'audit',
    ])
      expect(r.stdout).toContain(c);
  });

  it('answers user mistakes with one line and a non-zero status, never a stack trace', async () => {
    const cases = [
      await hinoko(['frobnicate']),
      await hinoko(['sources', 'add', '--type', 'x']),
      await hinoko(['sources', 'add', '--org', '1', '--type', 'myspace', '--name', 'n']),
      await hinoko(['import']),
      await hinoko(['seed', '--mentions', 'lots']),
      await hinoko(['migrate'], { PORT: 'eighty' }),
      await hinoko(['collect', '--bogus']),
    ];
    for (const r of cases) {
      expect(r.code).not.toBe(0);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr.trim().length).toBeGreaterThan(0);
    }
    expect(cases[5]!.stderr).toContain('PORT must be an integer');
    // Seven processes, each loading Node and the CLI: several seconds quiet, far more on a busy machine.
  }, 120_000);

  it('migrates, manages sources and imports a file, reporting bad lines by number', async () => {
    expect((await hinoko(['migrate'])).stdout).toContain('up to date');
    const audit = await hinoko(['audit', 'verify']);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toContain('audit log intact');
    const { org } = await makeOrg(testContext(db));
    const added = await hinoko([
      'sources',
      'add',
      '--org',
      org.id,
      '--type',
      'demo',
      '--name',
      'デモ',
      '--config',
      '{"postsPerHour":5,"backfillHours":1}',
    ]);
    expect(added.code).toBe(0);
    const id = /added source (\d+)/.exec(added.stdout)![1]!;
    expect((await hinoko(['sources', 'disable', id])).stdout).toContain('disabled');
    const list = await hinoko(['sources', 'list', '--org', org.id]);
    expect(list.stdout).toMatch(new RegExp(`${id}\\t${org.id}\\tdemo\\tdisabled`));

    // A credential goes in on standard input and is shown only as set.
    const x = await hinoko(['sources', 'add', '--org', org.id, '--type', 'x', '--name', 'X']);
    const xId = /added source (\d+)/.exec(x.stdout)![1]!;
    expect((await hinoko(['sources', 'list', '--org', org.id])).stdout).toContain('bearerToken:missing');
    const set = await hinoko(['sources', 'credential', xId, 'bearerToken'], {}, 'AAAA-cli-bearer-token\n');
    expect(set.stdout).toContain('bearerToken 設定済み (set)');
    const listed = await hinoko(['sources', 'list', '--org', org.id]);
    expect(listed.stdout).toMatch(new RegExp(`${xId}\\t.*\\tbearerToken\\t`));
    expect(listed.stdout).not.toContain('AAAA-cli-bearer-token');
    expect((await hinoko(['sources', 'credential', xId, 'apiKey'], {}, 'v')).code).not.toBe(0);
    expect((await hinoko(['sources', 'credential', xId, 'bearerToken', '--clear'])).stdout).toContain('未設定');

    const dir = mkdtempSync(path.join(os.tmpdir(), 'hinoko-import-'));
    const file = path.join(dir, 'caloo.csv');
    writeFileSync(
      file,
      'id,text,posted_at,rating\nr1,"待ち時間が長かったが、先生は丁寧",2026-11-01T10:00:00+09:00,4\nr2,日付がない,,3\nr3,とても良い,2026-11-02T10:00:00+09:00,5\n',
    );
    const first = await hinoko(['import', file, '--org', org.id, '--portal', 'caloo']);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain(`${file}:3: posted_at is missing`);
    expect(first.stdout).toContain('imported 2 new mention(s)');
    const again = await hinoko(['import', file, '--org', org.id, '--portal', 'caloo']);
    expect(again.stdout).toContain('imported 0 new mention(s)');
    expect(again.stdout).toContain('2 already present');
    const rows = await db.sql`select external_id, rating, sentiment_label from mentions where org_id = ${org.id} order by external_id`;
    expect(rows.map((r) => [r.external_id, r.rating])).toEqual([
      ['r1', 4],
      ['r3', 5],
    ]);
    // Imported mentions are analysed on the way in.
    expect(rows.every((r) => r.sentiment_label !== null)).toBe(true);
    // The skipped line is in the report, with what was on it.
    const report = readFileSync(`${file}.errors.jsonl`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(report).toEqual([{ line: 3, error: 'posted_at is missing', input: 'r2,日付がない,,3' }]);
  }, 180_000);

  it('import: every bad line in the report; detection waits for the service unless --detect', async () => {
    const { org } = await makeOrg(testContext(db));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hinoko-import-'));
    const file = path.join(dir, 'reviews.jsonl');
    const lines = Array.from({ length: 600 }, (_, i) =>
      i % 2 === 0
        ? JSON.stringify({
            id: `ok-${i}`,
            text: `テスト内科の口コミ ${i}`,
            posted_at: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(),
          })
        : `{"id": "bad-${i}", "text": 42}`,
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    const reportFile = path.join(dir, 'rejected.jsonl');
    const imported = await hinoko(['import', file, '--org', org.id, '--report', reportFile]);
    expect(imported.code).toBe(1);
    expect(imported.stdout).toContain('imported 300 new mention(s)');
    expect(imported.stdout).toContain('300 line(s) skipped');
    const report = readFileSync(reportFile, 'utf8').trim().split('\n');
    // All 300, not the first 200.
    expect(report).toHaveLength(300);
    expect(JSON.parse(report[299]!)).toMatchObject({ line: 600, input: '{"id": "bad-599", "text": 42}' });
    expect(imported.stderr).toContain(`skipped lines, every one: ${reportFile}`);
    expect(imported.stderr.split('\n').filter((l) => /^\S+:\d+: /.test(l))).toHaveLength(20);
    // Nothing judged yet: the service's next pass does it.
    expect(await db.sql`select 1 from detector_states where org_id = ${org.id}`).toHaveLength(0);

    const second = path.join(dir, 'more.jsonl');
    writeFileSync(second, `${JSON.stringify({ id: 'more-1', text: 'テスト内科', posted_at: '2026-11-02T00:00:00Z' })}\n`);
    const judged = await hinoko(['import', second, '--org', org.id, '--detect']);
    expect(judged.code, judged.stderr).toBe(0);
    expect((await db.sql`select 1 from detector_states where org_id = ${org.id}`).length).toBeGreaterThan(0);
  }, 120_000);
});

describe('hinoko erase', () => {
  it('previews, then erases a person’s posts; a request without a person is a usage error', async () => {
    const ctx = testContext(db);
    const { org } = await makeOrg(ctx);
    const src = await makeSource(ctx, org.id);
    await ingest(ingestDepsFrom(ctx), {
      orgId: org.id,
      sourceId: src.id,
      mentions: [mentionFixture(1, { authorHandle: 'kanja_b', text: '入院中の母の話' }), mentionFixture(2, { authorHandle: 'other' })],
    });
    const preview = await hinoko(['erase', '--org', org.id, '--handle', '@kanja_b', '--dry-run']);
    expect(preview.stdout, preview.stderr).toContain('posts 1');
    expect(await db.sql`select 1 from mentions where org_id = ${org.id} and erased_at is not null`).toHaveLength(0);
    const erased = await hinoko(['erase', '--org', org.id, '--handle', '@kanja_b']);
    expect(erased.code, erased.stderr).toBe(0);
    expect((await db.sql`select author_handle from mentions where org_id = ${org.id} and erased_at is not null`).length).toBe(1);
    expect((await hinoko(['erase', '--org', org.id])).code).toBe(2);
  }, 60_000);
});

describe('hinoko users', () => {
  it('adds an admin (password from stdin, or generated and printed once), lists, issues a token, disables', async () => {
    const { org } = await makeOrg(testContext(db));
    const weak = await hinoko(
      [
        'users',
        'add',
        '--org',
        org.slug,
        '--role',
        'admin',
        '--email',
        'kanri@clinic.example.jp',
        '--name',
        '管理 太郎',
        '--password-stdin',
      ],
      {},
      'password12345678\n',
    );
    expect(weak.code).not.toBe(0);
    expect(weak.stderr).toMatch(/password/);
    const added = await hinoko(
      [
        'users',
        'add',
        '--org',
        org.slug,
        '--role',
        'admin',
        '--email',
        'kanri@clinic.example.jp',
        '--name',
        '管理 太郎',
        '--password-stdin',
      ],
      {},
      '雨の日は図書館で静かに本を読む\n',
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).not.toContain('shown only this once');
    const userId = /added user (\d+)/.exec(added.stdout)![1]!;
    const generated = await hinoko([
      'users',
      'add',
      '--org',
      org.id,
      '--role',
      'pr_staff',
      '--email',
      'koho@clinic.example.jp',
      '--name',
      '広報 花子',
    ]);
    expect(generated.stdout).toMatch(/password \(shown only this once\): \S{20}/);
    const fresh = await hinoko([
      'users',
      'add',
      '--org',
      'new-clinic',
      '--org-name',
      '新しい医院',
      '--role',
      'admin',
      '--email',
      'admin@new-clinic.example.jp',
      '--name',
      '院長',
    ]);
    expect(fresh.stdout).toMatch(/to organization \d+ \(new-clinic\)/);
    const list = await hinoko(['users', 'list', '--org', org.slug]);
    expect(list.stdout).toMatch(new RegExp(`${userId}\tadmin\tactive\tkanri@clinic.example.jp`));
    const token = await hinoko(['users', 'token', userId, '--label', 'CI', '--scopes', 'read']);
    expect(token.stdout).toMatch(/^hnk_\S+\n$/);
    const scopes = await db.sql`select scopes from user_tokens where user_id = ${userId}`;
    expect(scopes.map((r) => r.scopes)).toEqual([['read']]);
    // The only admin cannot be disabled; a second one can be.
    expect((await hinoko(['users', 'disable', userId])).stderr).toContain('last active admin');
    const password = await hinoko(['users', 'password', userId]);
    expect(password.stdout).toMatch(/password \(shown only this once\): \S{20}/);
    expect(
      (await db.sql`select action from audit_log where chain = ${org.id} and action like 'user%' order by seq`).map((r) => r.action),
    ).toEqual(['user.create', 'user.create', 'user_token.create', 'user.password_reset']);
  }, 60_000);

  it('manages watch targets: list with the searches they produce, add, update, remove; bad input is one line', async () => {
    const { org } = await makeOrg(testContext(db));
    const added = await hinoko([
      'targets',
      'add',
      '--org',
      org.id,
      '--name',
      'あおば眼科',
      '--names',
      'あおば眼科',
      '--names',
      'あおば眼科医院',
      '--keyword',
      '青葉先生',
      '--handle',
      'x=aoba_eye',
      '--exclude',
      'あおば動物病院',
    ]);
    expect(added.stderr).toBe('');
    const id = /added watch target (\d+)/.exec(added.stdout)![1]!;
    const list = await hinoko(['targets', 'list', '--org', org.id, '--queries']);
    expect(list.stdout).toContain(`${id}\tあおば眼科\tあおば眼科,あおば眼科医院\t青葉先生\tx=aoba_eye\tあおば動物病院`);
    expect(list.stdout).toContain('\tx\t("あおば眼科" OR "あおば眼科医院" OR "青葉先生" OR @aoba_eye) -"あおば動物病院"');
    expect(list.stdout).toContain('\tmastodon\t#あおば眼科医院');
    expect((await hinoko(['targets', 'update', id, '--org', org.id, '--keyword', '院長'])).stdout).toContain(`updated watch target ${id}`);
    const [row] = await db.sql`select keywords, names from watch_targets where id = ${id}`;
    expect(row).toMatchObject({ keywords: ['院長'], names: ['あおば眼科', 'あおば眼科医院'] });
    const bad = await hinoko(['targets', 'update', id, '--org', org.id, '--keyword', 'x'.repeat(201)]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('keywords.0');
    expect((await hinoko(['targets', 'add', '--org', org.id, '--name', 'n', '--handle', 'broken'])).stderr).toContain('NETWORK=ACCOUNT');
    expect((await hinoko(['targets', 'remove', id, '--org', org.id])).stdout).toContain('removed watch target');
    expect((await hinoko(['targets', 'list', '--org', org.id])).stdout).not.toContain('あおば');
    expect((await hinoko(['targets', 'remove', id, '--org', org.id])).code).not.toBe(0);
    expect(
      (await db.sql`select action from audit_log where chain = ${org.id} and action like 'watch_target%' order by seq`).map(
        (r) => r.action,
      ),
    ).toEqual(['watch_target.create', 'watch_target.create', 'watch_target.update', 'watch_target.remove']);
  }, 60_000);
});

describe('hinoko start on an embedded Postgres', () => {
  it('starts with the demo, serves, stops cleanly on SIGTERM, and reuses its data directory', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hinoko-start-'));
    const start = () =>
      new Promise<{ code: number | null; stdout: string; health: number; orgs: unknown }>((resolve, reject) => {
        const child = spawn(process.execPath, [bin, 'start'], {
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '/tmp',
            HINOKO_DATA_DIR: dataDir,
            PORT: '0',
            HINOKO_LOG_LEVEL: 'info',
            HINOKO_SCHEDULER: 'false',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let health = 0;
        let orgs: unknown = null;
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`no start within 60 s:\n${stdout}`));
        }, 60_000);
        child.stdout.on('data', async (d) => {
          stdout += d;
          const m = /火の粉 Hinoko: (http:\/\/[^/\s]+)\//.exec(stdout);
          if (m && health === 0) {
            health = -1;
            const email = /email:\s+(\S+)/.exec(stdout)?.[1];
            const password = /password:\s+(\S+)/.exec(stdout)?.[1];
            health = (await fetch(`${m[1]}/healthz`)).status;
            if (email && password) {
              // The printed first admin logs in; the session cookie reads the API.
              const login = await fetch(`${m[1]}/api/v1/auth/login`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ email, password }),
              });
              const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
              orgs = await (await fetch(`${m[1]}/api/v1/organizations`, { headers: { cookie } })).json();
            }
            child.kill('SIGTERM');
          }
        });
        child.stderr.on('data', (d) => {
          stdout += d;
        });
        child.on('exit', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, health, orgs });
        });
      });

    const first = await start();
    expect(first.health, first.stdout).toBe(200);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('管理者を作成しました');
    expect((first.orgs as { items: { name: string; isDemo: boolean }[] }).items).toEqual([
      expect.objectContaining({ name: 'さくら内科クリニック（デモ）', isDemo: true }),
    ]);
    expect(first.stdout).toContain('停止しました');
    // A clean stop leaves no server behind holding the data directory.
    expect(() => readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toThrow();

    const second = await start();
    expect(second.code).toBe(0);
    expect(second.health).toBe(200);
    expect(second.stdout).not.toContain('管理者を作成しました');
  }, 150_000);
});
