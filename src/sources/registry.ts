import type { SourceType } from '../mention.ts';
import { blueskySource } from './bluesky/index.ts';
import { demoSource } from './demo/index.ts';
import { googleReviewsSource } from './google-reviews/index.ts';
import { facebookSource } from './facebook/index.ts';
import { importSource } from './import/index.ts';
import { instagramSource } from './instagram/index.ts';
import { lineSource } from './line/index.ts';
import { mastodonSource } from './mastodon/index.ts';
import { rssSource } from './rss/index.ts';
import type { SourceDefinition } from './types.ts';
import { xSource } from './x/index.ts';
import { youtubeSource } from './youtube/index.ts';

// Every source kind, by type. A full Record: a new entry in sourceTypes (src/mention.ts) does not
// compile until its definition is wired here.
export const sourceRegistry: Record<SourceType, SourceDefinition<any>> = {
  demo: demoSource,
  import: importSource,
  x: xSource,
  line: lineSource,
  facebook: facebookSource,
  instagram: instagramSource,
  google_reviews: googleReviewsSource,
  youtube: youtubeSource,
  bluesky: blueskySource,
  mastodon: mastodonSource,
  rss: rssSource,
};
