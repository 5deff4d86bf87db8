import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Hono } from 'hono';

// Client files served by us (no CDN): our stylesheet and scripts, uPlot and (for the API docs page
// alone) Swagger UI from npm. Each is read
// once at start and named by its content hash, so it can be cached for a year and a new release
// is never mixed with an old script.

const require = createRequire(import.meta.url);
const own = (file: string) => new URL(`./assets/${file}`, import.meta.url);

const sources = {
  'app.css': own('app.css'),
  'volume-chart.js': own('volume-chart.js'),
  'report-chart.js': own('report-chart.js'),
  'backtest-chart.js': own('backtest-chart.js'),
  'live.js': own('live.js'),
  'favicon.svg': own('favicon.svg'),
  'uplot.js': require.resolve('uplot/dist/uPlot.iife.min.js'),
  'uplot.css': require.resolve('uplot/dist/uPlot.min.css'),
  // The API docs page only (/docs/api): Swagger UI from npm, started by our own script.
  'swagger-ui.js': require.resolve('swagger-ui-dist/swagger-ui-bundle.js'),
  'swagger-ui.css': require.resolve('swagger-ui-dist/swagger-ui.css'),
  'api-docs.js': own('api-docs.js'),
} as const;
export type AssetName = keyof typeof sources;

interface Asset {
  path: string;
  body: Buffer;
  type: string;
}

const types: Record<string, string> = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8', svg: 'image/svg+xml' };

const assets = new Map<AssetName, Asset>(
  (Object.entries(sources) as [AssetName, URL | string][]).map(([name, file]) => {
    const body = readFileSync(file);
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const dot = name.lastIndexOf('.');
    const ext = name.slice(dot + 1);
    return [name, { path: `/assets/${name.slice(0, dot)}.${hash}.${ext}`, body, type: types[ext]! }];
  }),
);
const byPath = new Map([...assets.values()].map((a) => [a.path, a]));

/** The URL a page links to. */
export function assetPath(name: AssetName): string {
  return assets.get(name)!.path;
}

/** The files only the API docs page loads (a developer's page, outside the working pages' budget). */
export const docsAssets: readonly AssetName[] = ['swagger-ui.js', 'swagger-ui.css', 'api-docs.js'];

/** Every served file with its name (the size budget test reads them). */
export function allAssets(): readonly (Asset & { name: AssetName })[] {
  return [...assets.entries()].map(([name, a]) => ({ ...a, name }));
}

export function assetRoutes() {
  const app = new Hono();
  app.get('/assets/:file', (c) => {
    const asset = byPath.get(c.req.path);
    if (!asset) return c.text('not found', 404);
    return c.body(new Uint8Array(asset.body), 200, {
      'content-type': asset.type,
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    });
  });
  // Pages without a <link rel="icon"> (the print exports, a JSON answer opened in a tab) make the
  // browser ask for /favicon.ico: the same icon, rather than a 404 in every console.
  app.get('/favicon.ico', (c) => {
    const icon = assets.get('favicon.svg')!;
    return c.body(new Uint8Array(icon.body), 200, { 'content-type': icon.type, 'cache-control': 'public, max-age=86400' });
  });
  return app;
}
