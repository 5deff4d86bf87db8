import { ValidationError } from '../../errors.ts';
import { configObject, httpUrl, integerIn, optionalEnvName, originOf, slot } from '../config-fields.ts';
import type { CredentialSlot, SourceEndpoints } from '../types.ts';
import type { GraphAuthConfig } from './graph.ts';

export interface FacebookConfig extends GraphAuthConfig {
  pageId: string;
  /** For webhooks: the value Meta echoes in hub.verify_token when subscribing. */
  verifyTokenEnv: string | null;
  pageSize: number;
  /** Comments are re-read on posts this recent … */
  commentsLookbackDays: number;
  /** … up to this many of the newest posts. */
  maxPostsForComments: number;
  maxPagesPerRun: number;
  /** How often followed posts and comments are re-read in full to pick up edits (0 = never). */
  fullReadEveryHours: number;
}

export const graphApiBaseUrl = 'https://graph.facebook.com/v25.0';

export function parseFacebookConfig(input: unknown): FacebookConfig {
  const raw = configObject(input);
  if (typeof raw.pageId !== 'string' || !/^[0-9]{1,40}$/.test(raw.pageId)) {
    throw new ValidationError('pageId: Facebook ページの数字 ID (numeric Page id)');
  }
  return {
    baseUrl: httpUrl(raw.baseUrl, 'baseUrl', graphApiBaseUrl),
    pageId: raw.pageId,
    accessTokenEnv: optionalEnvName(raw.accessTokenEnv, 'accessTokenEnv'),
    appSecretEnv: optionalEnvName(raw.appSecretEnv, 'appSecretEnv'),
    verifyTokenEnv: optionalEnvName(raw.verifyTokenEnv, 'verifyTokenEnv'),
    pageSize: integerIn(raw.pageSize, 'pageSize', 1, 100, 50),
    commentsLookbackDays: integerIn(raw.commentsLookbackDays, 'commentsLookbackDays', 1, 90, 7),
    maxPostsForComments: integerIn(raw.maxPostsForComments, 'maxPostsForComments', 0, 200, 25),
    maxPagesPerRun: integerIn(raw.maxPagesPerRun, 'maxPagesPerRun', 1, 10_000, 100),
    fullReadEveryHours: integerIn(raw.fullReadEveryHours, 'fullReadEveryHours', 0, 24 * 7, 6),
    requestTimeoutMs: integerIn(raw.requestTimeoutMs, 'requestTimeoutMs', 50, 300_000, 30_000),
  };
}

/** The credentials of a Meta source (Facebook or Instagram): page token, app secret, verify token. */
export function metaCredentials<C extends GraphAuthConfig & { verifyTokenEnv: string | null }>(): CredentialSlot<C>[] {
  return [
    slot<C>('accessToken', 'ページアクセストークン (page access token)', (c) => c.accessTokenEnv),
    slot<C>('appSecret', 'アプリシークレット (app secret: signs webhooks and API calls)', (c) => c.appSecretEnv),
    slot<C>('verifyToken', 'Webhook 確認トークン (webhook verify token)', (c) => c.verifyTokenEnv),
  ];
}

/** Meta's Graph API is one platform: its token goes to the Graph host and nowhere else. */
export function metaEndpoints(config: GraphAuthConfig): SourceEndpoints {
  return {
    credentialOrigins: [originOf(config.baseUrl)],
    operatorUrls: [{ field: 'baseUrl', url: config.baseUrl, defaultUrl: graphApiBaseUrl }],
  };
}
