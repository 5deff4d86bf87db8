import { logger } from '../src/logger.ts';

// Tests assert on behaviour, not on log lines; keep the output readable.
logger.level = process.env.HINOKO_TEST_LOG_LEVEL ?? 'silent';
