/** @jsxImportSource hono/jsx */
import { Layout, type Viewer } from '../layout.tsx';
import { SettingsNav } from './settings-nav.tsx';

// The API reference: Swagger UI (from npm, served by us under the same CSP as every page) over
// /api/v1/openapi.json, which also documents /healthz, /ack/{token} and /webhooks/{sourceId}.

export function ApiDocsPage(props: { viewer: Viewer }) {
  const v = props.viewer;
  return (
    <Layout viewer={v} title="API ドキュメント" current="/settings" scripts={['swagger-ui.js', 'api-docs.js']} styles={['swagger-ui.css']}>
      <SettingsNav viewer={v} current="/docs/api" />
      <h1>
        API ドキュメント <span class="en">API reference</span>
      </h1>
      <p class="muted">
        すべての操作と、その入力・応答の形です。API トークンは「ユーザーとトークン」で発行します。文書そのもの:{' '}
        <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>（OpenAPI 3.1）
      </p>
      <div id="api-docs" class="card api-docs" data-spec="/api/v1/openapi.json" />
    </Layout>
  );
}
