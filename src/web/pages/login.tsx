/** @jsxImportSource hono/jsx */
import { Document } from '../layout.tsx';

export function LoginPage(props: { error?: string; email?: string; next?: string; askOrganization?: boolean }) {
  return (
    <Document title="ログイン — 火の粉 Hinoko">
      <main id="main">
        <div class="login card">
          <h1>火の粉 Hinoko</h1>
          <p>
            メールアドレスとパスワードでログインしてください。
            <br />
            <span class="en">Log in with your e-mail and password (the first admin's are printed on first start).</span>
          </p>
          {props.error ? (
            <p class="error" role="alert">
              {props.error}
            </p>
          ) : null}
          <form method="post" action="/login">
            {props.next && props.next !== '/' ? <input type="hidden" name="next" value={props.next} /> : null}
            <div class="field">
              <label for="email">メールアドレス (e-mail)</label>
              <input id="email" type="email" name="email" value={props.email ?? ''} autocomplete="username" required maxlength={254} />
            </div>
            <div class="field">
              <label for="password">パスワード (password)</label>
              <input id="password" type="password" name="password" autocomplete="current-password" required maxlength={512} />
            </div>
            {props.askOrganization ? (
              <div class="field">
                <label for="organization">組織の ID（slug。複数の医療機関のアカウントをお持ちの方）</label>
                <input id="organization" type="text" name="organization" maxlength={64} required />
              </div>
            ) : null}
            <button type="submit">ログイン (Log in)</button>
          </form>
        </div>
      </main>
    </Document>
  );
}
