import type { SourceType } from '../ingest/types.ts';
import type { SourceDefinition } from './types.ts';

// Every source the service knows, by type. Partial while the collectors are being written; it
// becomes a full Record<SourceType, …> once every type has its definition, so a new type will not
// compile until it is registered here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry has its own config type
export const sourceRegistry: Partial<Record<SourceType, SourceDefinition<any>>> = {};
