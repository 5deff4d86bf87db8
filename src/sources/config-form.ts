import type { SourceType } from '../mention.ts';

// The fields a settings page shows for each source type, in the words of its settings screen.
// The type's own parseConfig stays the one judge of a config (its messages name the field, in
// Japanese first); this only says how to ask for the common fields. Everything else a type
// accepts (page sizes, timeouts, operator-allowed environment names) is edited as JSON beside
// them, so no setting is out of reach of the page.

export type ConfigFieldKind = 'text' | 'url' | 'integer' | 'boolean' | 'list' | 'rssFeeds';

export interface ConfigField {
  name: string;
  label: string;
  kind: ConfigFieldKind;
  help?: string;
  /** The value a boolean has when the config does not say. */
  defaultValue?: boolean;
}

export const configForms: Record<SourceType, readonly ConfigField[]> = {
  demo: [],
  import: [],
  x: [
    { name: 'lang', label: '言語', kind: 'text', help: '例: ja（空なら全言語）' },
    { name: 'excludeRetweets', label: 'リポストを除く', kind: 'boolean', defaultValue: false },
    { name: 'maxQueryLength', label: '検索条件の最大文字数', kind: 'integer', help: 'Basic は 512、Pro 以上は 4096' },
  ],
  facebook: [{ name: 'pageId', label: 'Facebook ページ ID', kind: 'text', help: '病院のページの数字の ID' }],
  instagram: [
    { name: 'igUserId', label: 'Instagram ビジネスアカウント ID', kind: 'text' },
    { name: 'hashtags', label: 'ハッシュタグ（1行に1つ、# なし）', kind: 'list' },
  ],
  line: [{ name: 'destination', label: 'ボットのユーザー ID（Webhook の destination）', kind: 'text', help: 'U から始まる 33 文字' }],
  google_reviews: [{ name: 'locations', label: '拠点（1行に1つ: accounts/…/locations/…）', kind: 'list' }],
  youtube: [
    { name: 'channelIds', label: 'チャンネル ID（1行に1つ）', kind: 'list' },
    { name: 'videoIds', label: '動画 ID（1行に1つ、チャンネル外の動画も見るとき）', kind: 'list' },
    { name: 'fetchAllReplies', label: '返信もすべて読む', kind: 'boolean', defaultValue: true },
  ],
  bluesky: [
    { name: 'queries', label: '追加の検索語（1行に1つ。監視対象の名前は自動で検索）', kind: 'list' },
    { name: 'lang', label: '言語', kind: 'text', help: '例: ja（空なら全言語）' },
  ],
  mastodon: [
    { name: 'baseUrl', label: 'インスタンスの URL', kind: 'url', help: '例: https://mstdn.jp' },
    { name: 'hashtags', label: 'ハッシュタグ（1行に1つ、# なし）', kind: 'list' },
    { name: 'hashtagsFromTargets', label: '監視対象の名前をハッシュタグとしても追う', kind: 'boolean', defaultValue: true },
  ],
  rss: [{ name: 'feeds', label: 'フィードの URL', kind: 'rssFeeds' }],
};

/** The source types an administrator adds from the settings page (imports arrive by file). */
export const addableTypes: readonly SourceType[] = [
  'x',
  'google_reviews',
  'instagram',
  'facebook',
  'line',
  'youtube',
  'bluesky',
  'mastodon',
  'rss',
  'demo',
];

type Form = Record<string, unknown>;

const text = (form: Form, key: string) => (typeof form[key] === 'string' ? form[key].slice(0, 100_000) : '');
const lines = (v: string) =>
  v
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

/**
 * The config a form describes: the JSON of the other settings, then each field over it (a blank
 * text or list field removes the setting, so the type's default applies). Errors name the field.
 */
export function configFromForm(type: SourceType, form: Form): { config: Record<string, unknown> | null; errors: string[] } {
  const errors: string[] = [];
  let config: Record<string, unknown> = {};
  const rest = text(form, 'otherConfig').trim();
  if (rest !== '') {
    try {
      const parsed: unknown = JSON.parse(rest);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      config = parsed as Record<string, unknown>;
    } catch {
      errors.push('その他の設定: JSON のオブジェクト（{ … }）として読めません。');
    }
  }
  for (const f of configForms[type]) {
    const key = `cfg_${f.name}`;
    delete config[f.name];
    switch (f.kind) {
      case 'text':
      case 'url': {
        const v = text(form, key).trim();
        if (v !== '') config[f.name] = v;
        break;
      }
      case 'integer': {
        const v = text(form, key).trim();
        if (v === '') break;
        if (!/^\d{1,9}$/.test(v)) errors.push(`${f.label}: 整数で入力してください。`);
        else config[f.name] = Number(v);
        break;
      }
      case 'boolean':
        config[f.name] = form[key] === 'on';
        break;
      case 'list': {
        const v = lines(text(form, key));
        if (v.length > 0) config[f.name] = v;
        break;
      }
      case 'rssFeeds': {
        const matching = lines(text(form, 'cfg_feeds')).map((url) => ({ url, matchAll: false }));
        const all = lines(text(form, 'cfg_feedsAll')).map((url) => ({ url, matchAll: true }));
        config.feeds = [...matching, ...all];
        break;
      }
    }
  }
  return { config: errors.length > 0 ? null : config, errors };
}

/** The part of a stored config the form's fields do not show, as the JSON textarea holds it. */
export function otherConfig(type: SourceType, config: Record<string, unknown>): string {
  const shown = new Set(configForms[type].map((f) => f.name));
  const rest = Object.fromEntries(Object.entries(config).filter(([k]) => !shown.has(k)));
  return Object.keys(rest).length === 0 ? '' : JSON.stringify(rest, null, 2);
}
