import { DetectionService } from './detection-pass/detection-service.ts';
import { loadAnalyzer } from './analysis/index.ts';
import type { Config } from './config.ts';
import type { MentionAnalyzer } from './analysis/types.ts';

/**
 * The analysis and detection stages of the ingest pipeline, built once per process. Detection
 * must be bound to the context it becomes part of (`stages.detection.bind(ctx)`).
 */
export async function loadPipelineStages(config: Readonly<Config>): Promise<{ analyzer: MentionAnalyzer; detection: DetectionService }> {
  const analyzer = await loadAnalyzer({ lexiconExtraPath: config.analysis.lexiconExtraPath });
  return { analyzer, detection: new DetectionService() };
}
