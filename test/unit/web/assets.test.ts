import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { allAssets, assetPath, assetRoutes, docsAssets } from '../../../src/web/assets.ts';

// Issue 14: client JavaScript and CSS ≤ 150 kB gzipped in total, served by us (no CDN), for the
// pages people work in. The API docs page (issue 15, a developer's page) loads Swagger UI alone,
// and only there; it is measured apart.

describe('client assets', () => {
  it('stay within 150 kB gzipped, all of them together', () => {
    const sizes = allAssets()
      .filter((a) => !docsAssets.includes(a.name))
      .map((a) => ({ path: a.path, gzipped: gzipSync(a.body, { level: 9 }).length }));
    const total = sizes.reduce((n, s) => n + s.gzipped, 0);
    console.log(
      `[assets] ${sizes.map((s) => `${s.path} ${(s.gzipped / 1024).toFixed(1)} kB`).join(', ')}; total ${(total / 1024).toFixed(1)} kB gzipped`,
    );
    expect(total).toBeLessThanOrEqual(150 * 1024);
    const docs = allAssets()
      .filter((a) => docsAssets.includes(a.name))
      .reduce((n, a) => n + gzipSync(a.body, { level: 9 }).length, 0);
    console.log(`[assets] the API docs page alone adds ${(docs / 1024).toFixed(1)} kB gzipped (Swagger UI)`);
  });

  it('are named by their content and cached for a year; anything else under /assets is 404', async () => {
    const app = assetRoutes();
    const path = assetPath('app.css');
    expect(path).toMatch(/^\/assets\/app\.[0-9a-f]{12}\.css$/);
    const res = await app.request(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect((await app.request(path.replace(/\.[0-9a-f]{12}\./, '.000000000000.'))).status).toBe(404);
    expect((await app.request('/assets/../package.json')).status).toBe(404);
    expect((await app.request(assetPath('uplot.js'))).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });
});
