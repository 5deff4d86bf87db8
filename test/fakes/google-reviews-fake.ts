// Fake Business Profile API (mybusiness v4 reviews.list / reviews.get) plus Google's OAuth
// token endpoint, speaking the contract in shared/api-contracts (google/mybusiness-v4-reviews).

import { decodeToken, encodeToken, FaultyServer, FaultyServerFake, json, type FakeRequest, type FakeResponse } from './faulty-server.ts';

export interface FakeReview {
  name: string;
  reviewId: string;
  reviewer: { displayName?: string; profilePhotoUrl?: string; isAnonymous: boolean };
  starRating: 'STAR_RATING_UNSPECIFIED' | 'ONE' | 'TWO' | 'THREE' | 'FOUR' | 'FIVE';
  comment?: string;
  createTime: string;
  updateTime: string;
  reviewReply?: { comment: string; updateTime: string };
}

const stars = ['ONE', 'TWO', 'THREE', 'FOUR', 'FIVE'] as const;

function googleError(code: number, status: string, message: string): FakeResponse {
  return json(code, { error: { code, message, status } });
}

export class GoogleReviewsFake extends FaultyServerFake {
  readonly http: FaultyServer;
  /** Access tokens the API accepts; the token endpoint mints new ones. */
  validTokens = new Set<string>(['static-access-token']);
  refreshToken = 'refresh-token-1';
  clientId = 'client-id-1';
  clientSecret = 'client-secret-1';
  private locations = new Map<string, FakeReview[]>();
  private minted = 0;
  private clock: () => number;

  constructor(options: { now?: () => number } = {}) {
    super();
    this.clock = options.now ?? Date.now;
    this.http = new FaultyServer({
      handle: (r) => this.handle(r),
      rateLimited: () => googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for quota metric.'),
      serverError: (status) => googleError(status, status === 503 ? 'UNAVAILABLE' : 'INTERNAL', 'Internal error encountered.'),
      faultable: (r) => r.url.pathname !== '/token',
      now: this.clock,
    });
  }
  get tokenUrl(): string {
    return `${this.http.baseUrl}/token`;
  }

  reviews(location: string): FakeReview[] {
    let list = this.locations.get(location);
    if (list === undefined) {
      list = [];
      this.locations.set(location, list);
    }
    return list;
  }

  addReview(
    location: string,
    input: { reviewId: string; rating: 1 | 2 | 3 | 4 | 5; comment?: string; author?: string | null; at: Date },
  ): FakeReview {
    const time = input.at.toISOString();
    const review: FakeReview = {
      name: `${location}/reviews/${input.reviewId}`,
      reviewId: input.reviewId,
      reviewer:
        input.author == null
          ? { isAnonymous: true }
          : { displayName: input.author, profilePhotoUrl: 'https://lh3.example/p.jpg', isAnonymous: false },
      starRating: stars[input.rating - 1] as FakeReview['starRating'],
      ...(input.comment === undefined ? {} : { comment: input.comment }),
      createTime: time,
      updateTime: time,
    };
    this.reviews(location).push(review);
    return review;
  }

  editReview(location: string, reviewId: string, comment: string, at: Date, rating?: 1 | 2 | 3 | 4 | 5): void {
    const review = this.find(location, reviewId);
    review.comment = comment;
    review.updateTime = at.toISOString();
    if (rating !== undefined) review.starRating = stars[rating - 1] as FakeReview['starRating'];
  }

  reply(location: string, reviewId: string, comment: string, at: Date): void {
    const review = this.find(location, reviewId);
    review.reviewReply = { comment, updateTime: at.toISOString() };
    review.updateTime = at.toISOString();
  }

  /** reviews.deleteReply. Whether Google moves updateTime here is undocumented; the fake does not (the harder case). */
  deleteReply(location: string, reviewId: string): void {
    delete this.find(location, reviewId).reviewReply;
  }

  deleteReview(location: string, reviewId: string): void {
    const list = this.reviews(location);
    const index = list.findIndex((r) => r.reviewId === reviewId);
    if (index >= 0) list.splice(index, 1);
  }

  private find(location: string, reviewId: string): FakeReview {
    const review = this.reviews(location).find((r) => r.reviewId === reviewId);
    if (review === undefined) throw new Error(`no review ${reviewId}`);
    return review;
  }

  private handle(request: FakeRequest): FakeResponse {
    const path = request.url.pathname;
    if (path === '/token' && request.method === 'POST') return this.token(request);
    const auth = request.headers.authorization;
    if (auth === undefined || !auth.startsWith('Bearer ') || !this.validTokens.has(auth.slice(7))) {
      return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
    }
    const list = /^\/v4\/(accounts\/[^/]+\/locations\/[^/]+)\/reviews$/.exec(path);
    if (list !== null && request.method === 'GET') return this.list(list[1] as string, request.url.searchParams);
    const one = /^\/v4\/(accounts\/[^/]+\/locations\/[^/]+)\/reviews\/([^/]+)$/.exec(path);
    if (one !== null && request.method === 'GET') {
      const review = this.reviews(one[1] as string).find((r) => r.reviewId === decodeURIComponent(one[2] as string));
      return review === undefined ? googleError(404, 'NOT_FOUND', 'Requested entity was not found.') : json(200, review);
    }
    return googleError(404, 'NOT_FOUND', 'Requested entity was not found.');
  }

  private list(location: string, params: URLSearchParams): FakeResponse {
    if (!this.locations.has(location)) return googleError(404, 'NOT_FOUND', 'Requested entity was not found.');
    const pageSize = Number(params.get('pageSize') ?? '50');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 50) {
      return googleError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.');
    }
    const orderBy = params.get('orderBy') ?? 'update_time desc';
    const sorted = [...this.reviews(location)];
    if (orderBy === 'update_time desc')
      sorted.sort((a, b) => b.updateTime.localeCompare(a.updateTime) || a.reviewId.localeCompare(b.reviewId));
    else return googleError(400, 'INVALID_ARGUMENT', `Invalid orderBy: ${orderBy}`);
    const pageToken = params.get('pageToken');
    const offset = pageToken === null ? 0 : decodeToken<{ offset: number }>(pageToken)?.offset;
    if (offset === undefined || !Number.isInteger(offset) || offset < 0) return googleError(400, 'INVALID_ARGUMENT', 'Invalid page token.');
    const page = sorted.slice(offset, offset + pageSize);
    const ratings = this.reviews(location)
      .map((r) => stars.indexOf(r.starRating as (typeof stars)[number]) + 1)
      .filter((n) => n > 0);
    return json(200, {
      ...(page.length === 0 ? {} : { reviews: page }),
      averageRating: ratings.length === 0 ? 0 : ratings.reduce((a, b) => a + b, 0) / ratings.length,
      totalReviewCount: sorted.length,
      ...(offset + pageSize < sorted.length ? { nextPageToken: encodeToken({ offset: offset + pageSize }) } : {}),
    });
  }

  private token(request: FakeRequest): FakeResponse {
    const form = new URLSearchParams(request.body.toString('utf8'));
    if (
      form.get('grant_type') !== 'refresh_token' ||
      form.get('client_id') !== this.clientId ||
      form.get('client_secret') !== this.clientSecret
    ) {
      return json(401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
    }
    if (form.get('refresh_token') !== this.refreshToken) {
      return json(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    }
    this.minted += 1;
    const token = `minted-access-token-${this.minted}`;
    this.validTokens.add(token);
    return json(200, {
      access_token: token,
      expires_in: 3599,
      scope: 'https://www.googleapis.com/auth/business.manage',
      token_type: 'Bearer',
    });
  }

  /** Every access token minted so far stops working (they expire after an hour). */
  expireAccessTokens(): void {
    this.validTokens.clear();
  }
}
