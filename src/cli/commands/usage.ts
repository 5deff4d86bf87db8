// Each command's usage, apart from its code: `hinoko <command> --help` prints it without loading
// the command (and the database, hono or kuromoji it imports), well under a second.

export const usages = {
  start: 'hinoko start',
  migrate: 'hinoko migrate',
  collect:
    'hinoko collect [--once [--source ID] [--detect]]   (--detect: judge what was stored before exiting; otherwise the service does within a minute)',
  sources:
    'hinoko sources list [--org ID]\n       hinoko sources add --org ID --type TYPE --name NAME [--config JSON] [--schedule CRON]\n       hinoko sources enable|disable ID\n       hinoko sources credential ID NAME [--clear]   (the value is read from standard input, never from the command line)',
  targets:
    'hinoko targets list --org ID [--queries]\n       hinoko targets add --org ID --name NAME [--names N]... [--keyword K]... [--handle NETWORK=ACCOUNT]... [--exclude T]...\n       hinoko targets update ID --org ID [--name NAME] [--names N]... [--keyword K]... [--handle NETWORK=ACCOUNT]... [--exclude T]...\n       hinoko targets remove ID --org ID',
  import:
    'hinoko import FILE --org ID [--portal NAME] [--source ID] [--format jsonl|csv] [--report FILE] [--detect]\n  every skipped line goes to the report (default FILE.errors.jsonl); progress on standard error\n  fields: text, posted_at (required); id, author, author_handle, url, rating (1-5), likes, replies, language, reply_to',
  analyze: 'hinoko analyze [--lexicon FILE] < posts.jsonl   (each line {"id","text"}; writes {"id","sentiment","risks","pii"})',
  check:
    'hinoko check FILE [--channel x|instagram|facebook|line|blog|google_review_reply] [--jsonl] [--json] [--phone 03-...,...] [--address ...] [--name 山田太郎,...]   (exit 1 when a finding blocks publication)',
  reanalyze: 'hinoko reanalyze [--org ID]',
  erase:
    'hinoko erase --org ID (--handle HANDLE | --author-id ID) [--dry-run]   (a person’s posts on their request; what an open incident cites is kept and listed)',
  backup:
    'hinoko backup FILE [--format auto|pg_dump|hinoko]   (auto: pg_dump when one can read the server — HINOKO_PG_BIN or PATH — else Hinoko’s own format)',
  restore: 'hinoko restore FILE [--force]   (stop the service first; --force empties a database that is not empty)',
  retention: 'hinoko retention [--org ID] [--dry-run]   (every organisation without --org; --dry-run counts what would go)',
  detect:
    'hinoko detect [--input FILE] [--sensitivity fewer|balanced|more] [--bucket-minutes N]  (CSV on stdin if no --input: timestamp,value[,negative[,reported]][,negative_reposts,negative_quotes,negative_replies][,critical_terms as 医療ミス;死亡])',
  backtest: 'hinoko backtest --org ID --from ISO --to ISO [--sensitivity fewer|balanced|more]',
  seed: 'hinoko seed --mentions N [--days D] [--org ID]',
  audit: "hinoko audit verify [--org ID] [--checkpoints FILE]\n       hinoko audit checkpoint   (record every chain's head now)",
  users:
    'hinoko users add --org ID|SLUG [--org-name NAME] --role ROLE --email EMAIL --name NAME [--password-stdin]\n       hinoko users list --org ID|SLUG\n       hinoko users disable|enable USER_ID\n       hinoko users password USER_ID [--password-stdin]\n       hinoko users token USER_ID --label LABEL [--scopes read,write,…]',
} as const;

export type CommandName = keyof typeof usages;
