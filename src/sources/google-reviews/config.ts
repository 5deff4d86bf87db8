import { ValidationError } from '../../errors.ts';
import { configObject, httpUrl, integerIn, optionalEnvName } from '../config-fields.ts';
import { isRecord } from '../payload.ts';

export interface GoogleOAuthRefresh {
  tokenUrl: string;
  clientIdEnv: string | null;
  clientSecretEnv: string | null;
  refreshTokenEnv: string | null;
}

export interface GoogleReviewsConfig {
  baseUrl: string;
  locations: { name: string; ownerName: string | null }[];
  /** A fixed access token (short-lived; for trials) or an OAuth refresh token (production). */
  auth: { kind: 'access-token'; accessTokenEnv: string | null } | ({ kind: 'oauth' } & GoogleOAuthRefresh);
  pageSize: number;
  /** Pages per location per run; a longer listing continues next run (bounds a looping page token). */
  maxPagesPerRun: number;
  /** How often the whole listing is walked to find deleted reviews; 0 = never. */
  fullListingEveryHours: number;
  requestTimeoutMs: number;
}

export const googleApiBaseUrl = 'https://mybusiness.googleapis.com';
export const googleTokenUrl = 'https://oauth2.googleapis.com/token';

const locationPattern = /^accounts\/[A-Za-z0-9_-]{1,64}\/locations\/[A-Za-z0-9_-]{1,64}$/;

export function parseGoogleReviewsConfig(input: unknown): GoogleReviewsConfig {
  const raw = configObject(input);
  if (!Array.isArray(raw.locations) || raw.locations.length === 0 || raw.locations.length > 100) {
    throw new ValidationError('locations: 1〜100 件の拠点 (accounts/{a}/locations/{l}) を指定してください (1–100 locations)');
  }
  const locations = raw.locations.map((entry: unknown, i) => {
    const name = typeof entry === 'string' ? entry : isRecord(entry) ? entry.name : undefined;
    if (typeof name !== 'string' || !locationPattern.test(name)) {
      throw new ValidationError(
        `locations[${i}]: accounts/{accountId}/locations/{locationId} の形式で (expected accounts/{a}/locations/{l})`,
      );
    }
    const ownerName = isRecord(entry) ? entry.ownerName : undefined;
    if (ownerName !== undefined && (typeof ownerName !== 'string' || ownerName.length > 200)) {
      throw new ValidationError(`locations[${i}].ownerName: 200 文字以内の文字列 (string up to 200 chars)`);
    }
    return { name, ownerName: ownerName ?? null };
  });
  let auth: GoogleReviewsConfig['auth'];
  if (isRecord(raw.oauth)) {
    auth = {
      kind: 'oauth',
      tokenUrl: httpUrl(raw.oauth.tokenUrl, 'oauth.tokenUrl', googleTokenUrl),
      clientIdEnv: optionalEnvName(raw.oauth.clientIdEnv, 'oauth.clientIdEnv'),
      clientSecretEnv: optionalEnvName(raw.oauth.clientSecretEnv, 'oauth.clientSecretEnv'),
      refreshTokenEnv: optionalEnvName(raw.oauth.refreshTokenEnv, 'oauth.refreshTokenEnv'),
    };
  } else if (raw.oauth !== undefined) {
    throw new ValidationError('oauth: オブジェクトで指定してください (an object, e.g. {} to use an OAuth refresh token)');
  } else {
    // No "oauth" object: a fixed access token (short-lived; for trials).
    auth = { kind: 'access-token', accessTokenEnv: optionalEnvName(raw.accessTokenEnv, 'accessTokenEnv') };
  }
  return {
    baseUrl: httpUrl(raw.baseUrl, 'baseUrl', googleApiBaseUrl),
    locations,
    auth,
    // The API's maximum page size (mybusiness v4 reviews.list).
    pageSize: integerIn(raw.pageSize, 'pageSize', 1, 50, 50),
    maxPagesPerRun: integerIn(raw.maxPagesPerRun, 'maxPagesPerRun', 1, 1000, 100),
    fullListingEveryHours: integerIn(raw.fullListingEveryHours, 'fullListingEveryHours', 0, 24 * 30, 24),
    requestTimeoutMs: integerIn(raw.requestTimeoutMs, 'requestTimeoutMs', 100, 300_000, 30_000),
  };
}

/** Which credential slots the chosen auth mode needs. */
export function googleReviewsRequiredCredentials(config: GoogleReviewsConfig): string[] {
  return config.auth.kind === 'oauth' ? ['clientId', 'clientSecret', 'refreshToken'] : ['accessToken'];
}
