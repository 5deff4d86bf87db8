import type { SourceDefinition } from '../types.ts';
import { collectGoogleReviews } from './collector.ts';
import { originOf, slot } from '../config-fields.ts';
import {
  googleApiBaseUrl,
  googleReviewsRequiredCredentials,
  googleTokenUrl,
  parseGoogleReviewsConfig,
  type GoogleReviewsConfig,
} from './config.ts';

export type { GoogleReviewsConfig } from './config.ts';

export const googleReviewsSource: SourceDefinition<GoogleReviewsConfig> = {
  type: 'google_reviews',
  label: 'Google ビジネスプロフィール口コミ (Google Business Profile reviews)',
  // Reviews arrive a few a day; every 30 minutes keeps replies timely within the API quota.
  defaultSchedule: '*/30 * * * *',
  parseConfig: parseGoogleReviewsConfig,
  credentials: [
    slot('accessToken', 'アクセストークン (fixed access token; trials only)', (c) =>
      c.auth.kind === 'access-token' ? c.auth.accessTokenEnv : null,
    ),
    slot('clientId', 'OAuth クライアント ID (OAuth client id)', (c) => (c.auth.kind === 'oauth' ? c.auth.clientIdEnv : null)),
    slot('clientSecret', 'OAuth クライアントシークレット (OAuth client secret)', (c) =>
      c.auth.kind === 'oauth' ? c.auth.clientSecretEnv : null,
    ),
    slot('refreshToken', 'リフレッシュトークン (OAuth refresh token)', (c) => (c.auth.kind === 'oauth' ? c.auth.refreshTokenEnv : null)),
  ],
  requiredCredentials: googleReviewsRequiredCredentials,
  endpoints: (c) => ({
    credentialOrigins: c.auth.kind === 'oauth' ? [originOf(c.baseUrl), originOf(c.auth.tokenUrl)] : [originOf(c.baseUrl)],
    operatorUrls: [
      { field: 'baseUrl', url: c.baseUrl, defaultUrl: googleApiBaseUrl },
      ...(c.auth.kind === 'oauth' ? [{ field: 'oauth.tokenUrl', url: c.auth.tokenUrl, defaultUrl: googleTokenUrl }] : []),
    ],
  }),
  collect: collectGoogleReviews,
};
