import { detectionJob, type DetectionJob } from './detection-pass/detection-job.ts';
import { loadAnalyzer } from './analysis/index.ts';
import type { Config } from './config.ts';
import type { MentionAnalyzer } from './analysis/types.ts';

/**
 * The analysis and detection stages of the ingest pipeline, built once per process. Detection is
 * a job: its passes run once a JobRunner holds it (main.ts starts it with the other jobs).
 */
export async function loadPipelineStages(config: Readonly<Config>): Promise<{ analyzer: MentionAnalyzer; detection: DetectionJob }> {
  const analyzer = await loadAnalyzer({ lexiconExtraPath: config.analysis.lexiconExtraPath });
  return { analyzer, detection: detectionJob() };
}
