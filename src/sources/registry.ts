import type { SourceType } from '../ingest/types.ts';
import { demoSource } from './demo/index.ts';
import { importSource } from './import/index.ts';
import { lineSource } from './line/index.ts';
import type { SourceDefinition } from './types.ts';
import { xSource } from './x/index.ts';

// Every source kind, by type. Each SNS source adds one line here.
// Partial while the collectors land; it becomes a full Record<SourceType, …> once every kind is wired.
export const sourceRegistry: Partial<Record<SourceType, SourceDefinition<any>>> = {
  demo: demoSource,
  import: importSource,
  x: xSource,
  line: lineSource,
};
