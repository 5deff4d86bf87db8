import { ValidationError } from '../../errors.ts';
import type { SourceDefinition } from '../types.ts';

// Review portals without an API (caloo, 病院なび, QLife, EPARK …) arrive as files through
// `hinoko import`. The source row gives those mentions a home and a dedupe key; nothing is polled.

export interface ImportConfig {
  /** Where the file came from, shown beside the mentions (e.g. "caloo"). */
  portal: string | null;
}

export const importSource: SourceDefinition<ImportConfig> = {
  type: 'import',
  label: 'ファイル取り込み (file import)',
  defaultSchedule: '',
  parseConfig(raw) {
    const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const portal = o.portal ?? null;
    if (portal !== null && (typeof portal !== 'string' || portal.length > 100)) {
      throw new ValidationError('import config: portal must be a short name such as "caloo"');
    }
    return { portal: portal };
  },
  credentials: [],
  requiredCredentials: () => [],
  endpoints: () => ({ credentialOrigins: [], operatorUrls: [] }),
};
