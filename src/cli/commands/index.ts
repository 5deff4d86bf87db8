import type { CliCommand } from '../command.ts';

// Every `hinoko` sub-command, by name. A command lives in its own file beside this one and is
// imported only when run: `hinoko detect` must not pay for the database, hono and kuromoji.
export interface CommandEntry {
  summary: string;
  load(): Promise<CliCommand>;
}

export const commands: Record<string, CommandEntry> = {
  start: {
    summary: 'サービスを起動 (start the service: HTTP API, dashboard, scheduler)',
    load: async () => (await import('./start.ts')).startCommand,
  },
  migrate: {
    summary: 'データベースのマイグレーションを適用 (apply pending SQL migrations)',
    load: async () => (await import('./migrate.ts')).migrateCommand,
  },
  collect: {
    summary: '収集を実行 (collect: --once runs every enabled source once; without it, runs the scheduler in the foreground)',
    load: async () => (await import('./collect.ts')).collectCommand,
  },
  sources: {
    summary: '収集元の一覧・追加・有効化・無効化 (list, add, enable or disable sources)',
    load: async () => (await import('./sources.ts')).sourcesCommand,
  },
  targets: {
    summary: '監視対象の一覧・追加・変更・削除 (list, add, update or remove watch targets; --queries shows the searches they produce)',
    load: async () => (await import('./targets.ts')).targetsCommand,
  },
  import: {
    summary: '口コミサイト等のファイルを取り込み (import mentions from JSON lines or CSV)',
    load: async () => (await import('./import.ts')).importCommand,
  },
  analyze: {
    summary: 'テキスト解析 (感情・リスク・個人情報) を JSON Lines で実行 (analyse JSON lines from stdin)',
    load: async () => (await import('./analyze.ts')).analyzeCommand,
  },
  erase: {
    summary: '本人の求めによる投稿の消去 (erase a person’s posts on their request, by handle or account id)',
    load: async () => (await import('./erase.ts')).eraseCommand,
  },
  backup: {
    summary: 'データベースのバックアップ (back up the database: pg_dump, or Hinoko’s own format for the embedded one)',
    load: async () => (await import('./backup.ts')).backupCommand,
  },
  restore: {
    summary: 'バックアップから復元 (restore a backup into an empty database)',
    load: async () => (await import('./backup.ts')).restoreCommand,
  },
  retention: {
    summary: '保存期間の過ぎた個人データを消去 (apply the retention periods now; the service also does daily at 03:30 JST)',
    load: async () => (await import('./retention.ts')).retentionCommand,
  },
  check: {
    summary: '公開前の投稿チェック (check a draft of the clinic’s own post: 医療広告ガイドライン, privacy; exit 1 on blocking findings)',
    load: async () => (await import('./check.ts')).checkCommand,
  },
  reanalyze: {
    summary: '保存済みの投稿を再分析 (re-analyse stored mentions after a lexicon change; resumable)',
    load: async () => (await import('./reanalyze.ts')).reanalyzeCommand,
  },
  detect: {
    summary: '時系列CSVで炎上検知を実行 (run flare-up detection over a timestamp,value[,negative] CSV)',
    load: async () => (await import('./detect.ts')).detectCommand,
  },
  backtest: {
    summary: '保存済みの投稿で検知を再現 (replay stored mentions through detection; lists alerts that would have fired)',
    load: async () => (await import('./backtest.ts')).backtestCommand,
  },
  seed: {
    summary: 'ベンチマーク用の合成データを投入 (bulk synthetic mentions for benchmarks)',
    load: async () => (await import('./seed.ts')).seedCommand,
  },
  audit: {
    summary: '監査ログの改ざん検査 (verify the tamper-evident audit log)',
    load: async () => (await import('./audit.ts')).auditCommand,
  },
  users: {
    summary: '利用者の追加・一覧・無効化・パスワード再設定・API トークン発行 (add, list, disable users; reset passwords; issue API tokens)',
    load: async () => (await import('./users.ts')).usersCommand,
  },
};
