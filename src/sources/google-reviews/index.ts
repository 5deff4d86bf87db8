import type { SourceDefinition } from '../types.ts';
import { collectGoogleReviews } from './collector.ts';
import { googleReviewsSecretNames, parseGoogleReviewsConfig, type GoogleReviewsConfig } from './config.ts';

export type { GoogleReviewsConfig } from './config.ts';

export const googleReviewsSource: SourceDefinition<GoogleReviewsConfig> = {
  type: 'google_reviews',
  label: 'Google ビジネスプロフィール口コミ (Google Business Profile reviews)',
  // Reviews arrive a few a day; every 30 minutes keeps replies timely within the API quota.
  defaultSchedule: '*/30 * * * *',
  parseConfig: parseGoogleReviewsConfig,
  secretNames: googleReviewsSecretNames,
  collect: collectGoogleReviews,
};
