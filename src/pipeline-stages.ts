import { loadAnalyzer } from './analysis/index.ts';
import type { Config } from './config.ts';
import type { DetectionStage } from './ingest/pipeline.ts';
import type { MentionAnalyzer } from './ingest/types.ts';

/** The analysis and detection stages of the ingest pipeline, built once per process. */
export async function loadPipelineStages(config: Readonly<Config>): Promise<{ analyzer: MentionAnalyzer | null; detection: DetectionStage | null }> {
  const analyzer = await loadAnalyzer({ lexiconExtraPath: config.analysis.lexiconExtraPath });
  return { analyzer, detection: null };
}
