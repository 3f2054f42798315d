/** The sign-in page: a plain form (no script needed). */
import { html } from '../html.js';
import { paths } from '../paths.js';
import { layout, notice } from './ui.js';

export function loginPage(o: { next: string; loginToken: string; error?: string; name?: string }) {
  return layout(
    { title: 'Sign in' },
    html`<section class="login card">
<h1>Sign in</h1>
${o.error ? notice('error', o.error) : ''}
<form method="post" action="${paths.login()}">
<input type="hidden" name="_login" value="${o.loginToken}">
<input type="hidden" name="next" value="${o.next}">
<label for="name">User name</label>
<input id="name" name="name" autocomplete="username" required autofocus value="${o.name ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" class="primary">Sign in</button>
</form>
</section>`,
  );
}
