import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// What this process counts, for Prometheus (GET /metrics, src/server/metrics.ts). Counters live
// here, in the kernel, so the stages that count — collection, ingest, detection, escalation — need
// no more than this module; what the database knows (collection lag, the mail queue, the pool) is
// read when Prometheus scrapes. prom-client rather than our own exposition format: its histogram
// buckets, label escaping and process metrics are what Prometheus and Grafana expect.

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'hinoko_' });

export const collectionRuns = new Counter({
  name: 'hinoko_collection_runs_total',
  help: 'Collection runs finished, by source type and outcome',
  labelNames: ['source_type', 'status'] as const,
  registers: [metricsRegistry],
});

export const collectionRunSeconds = new Histogram({
  name: 'hinoko_collection_run_seconds',
  help: 'Duration of a collection run, by source type',
  labelNames: ['source_type'] as const,
  buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
  registers: [metricsRegistry],
});

export const ingestedMentions = new Counter({
  name: 'hinoko_ingested_mentions_total',
  help: 'Mentions stored for the first time (pulled, pushed or imported)',
  registers: [metricsRegistry],
});

export const detectionPassSeconds = new Histogram({
  name: 'hinoko_detection_pass_seconds',
  help: "Duration of one organisation's detection pass (every series it has)",
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 60],
  registers: [metricsRegistry],
});

export const alertChanges = new Counter({
  name: 'hinoko_alert_changes_total',
  help: 'Alerts opened, escalated, updated or closed, by kind (crisis, notice) and action',
  labelNames: ['kind', 'action'] as const,
  registers: [metricsRegistry],
});

export const escalationsPaged = new Counter({
  name: 'hinoko_escalations_paged_total',
  help: 'Escalation levels paged because nobody acknowledged in time',
  registers: [metricsRegistry],
});
