import type { OidcLoginError } from './oidc-errors';

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The page a browser lands on when the OIDC callback refuses: both languages (the console's
 * language toggle lives in the SPA, which this is not), the machine-readable code, a way back. No
 * script and no inline style, so the console's CSP holds unchanged.
 */
export function renderOidcErrorPage(error: OidcLoginError): string {
  const { zh, en } = error.localized;
  return `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>登录未完成 · Sign-in not completed</title></head>
<body>
<main data-error-code="${escape(error.code)}">
<h1>登录未完成</h1>
<p>${escape(zh)}</p>
<h1 lang="en">Sign-in not completed</h1>
<p lang="en">${escape(en)}</p>
<p><code>${escape(error.code)}</code></p>
<p><a href="/">返回登录页 · <span lang="en">Back to sign-in</span></a></p>
</main>
</body>
</html>
`;
}
