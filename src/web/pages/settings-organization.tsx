/** @jsxImportSource hono/jsx */
import type { Role } from '../../access/permissions.ts';
import { displayText } from '../../display.ts';
import { Layout, type Viewer } from '../layout.tsx';
import { roleLabels } from '../labels.ts';
import { SettingsNav } from './settings-nav.tsx';

// Switching organisation: a hospital group's staff hold one account per clinic (the same e-mail);
// switching signs in to the other clinic's account, with its password, and ends this session.

export function OrganizationPage(props: {
  viewer: Viewer;
  slug: string;
  others: { orgId: string; name: string; slug: string; role: Role }[];
  error?: string;
}) {
  const v = props.viewer;
  return (
    <Layout viewer={v} title="組織の切り替え" current="/settings">
      <SettingsNav viewer={v} current="/settings/organization" />
      <h1>
        組織の切り替え <span class="en">Organisations</span>
      </h1>
      {props.error ? (
        <p class="error" role="alert">
          {displayText(props.error)}
        </p>
      ) : null}
      <section class="card" aria-labelledby="org-now">
        <h2 id="org-now">いまの組織</h2>
        <p>
          <strong>{displayText(v.org.name)}</strong>（ID: {displayText(props.slug)}）・{roleLabels[v.role]}として利用中
        </p>
      </section>
      <section class="card" aria-labelledby="org-others">
        <h2 id="org-others">ほかの組織</h2>
        {props.others.length === 0 ? (
          <p class="muted">
            このメールアドレスのアカウントがある組織は、ほかにありません。グループの別の医療機関で使うには、その組織の管理者に追加してもらいます。
          </p>
        ) : (
          <>
            <p class="muted">
              切り替えると、その組織のアカウントでログインし直します（パスワードはその組織のものです）。いまの画面はログアウトします。
            </p>
            <ul class="rows">
              {props.others.map((o) => (
                <li>
                  <form method="post" action="/settings/organization/switch" class="actions">
                    <input type="hidden" name="_csrf" value={v.csrfToken} />
                    <input type="hidden" name="organization" value={o.slug} />
                    <span>
                      <strong>{displayText(o.name)}</strong>
                      <span class="meta">{roleLabels[o.role]}</span>
                    </span>
                    <div class="field">
                      <label for={`org-pw-${o.orgId}`}>{displayText(o.name)} のパスワード</label>
                      <input
                        id={`org-pw-${o.orgId}`}
                        type="password"
                        name="password"
                        autocomplete="current-password"
                        required
                        maxlength={512}
                      />
                    </div>
                    <button type="submit">切り替える</button>
                  </form>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </Layout>
  );
}
