// Child process for the crash test: collects a slow source until the parent kills it (SIGKILL).
import { loadConfig } from '../../src/config.ts';
import { createContext } from '../../src/context.ts';
import { connect } from '../../src/db/connect.ts';
import { runSource } from '../../src/collection/run-source.ts';
import { logger } from '../../src/logger.ts';
import { sourceRegistry } from '../../src/sources/registry.ts';
import { crashItems, slowListSource } from './crash-source.ts';

logger.level = 'silent';
const [url, sourceId] = process.argv.slice(2);
const db = connect(url!, { max: 4 });
const ctx = createContext({
  config: loadConfig({}),
  sql: db.sql,
  db: db.db,
  sources: { ...sourceRegistry, rss: slowListSource(crashItems(), 25) },
});
await runSource(ctx, { sourceId: sourceId!, trigger: 'manual' });
process.stdout.write('finished\n');
await db.close();
