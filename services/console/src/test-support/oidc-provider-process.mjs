// A REAL OpenID provider (oidc-provider 9, the certified Node implementation) for the console's OIDC
// integration test, in its own process because the library is ESM only and Jest runs CommonJS.
// Nothing here is simulated: discovery, authorization endpoint, PKCE, code redemption (codes are
// single use), signed ID tokens and RP-initiated logout are the library's. Only the login screen is
// replaced by an automatic one: the account is the request's `login_hint` (the test's "person"),
// or OIDC_DEFAULT_LOGIN when there is none (a real browser clicking the console's button).
//
// Environment: OIDC_PORT, OIDC_CLIENT (JSON client metadata), OIDC_ACCOUNTS (JSON {sub: claims}),
// OIDC_DEFAULT_LOGIN (optional).
// Prints "ready <issuer>" on stdout once it listens.
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS ?? '{}');

const provider = new Provider(issuer, {
  clients: [JSON.parse(process.env.OIDC_CLIENT)],
  pkce: { required: () => true },
  cookies: { keys: [process.env.OIDC_COOKIE_KEY ?? 'oidc-provider-test-cookie-key'] },
  claims: { openid: ['sub'], profile: ['name'], email: ['email'], phone: ['phone_number'] },
  findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, ...(accounts[sub] ?? {}) }) }),
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
});

provider.use(async (ctx, next) => {
  const match = /^\/interaction\/[^/]+$/.exec(ctx.path);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const accountId = String(details.params.login_hint ?? process.env.OIDC_DEFAULT_LOGIN ?? '');
  if (!accountId) {
    ctx.status = 400;
    ctx.body = 'login_hint needed';
    return undefined;
  }
  const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope ?? 'openid'));
  const grantId = await grant.save();
  const to = await provider.interactionResult(
    ctx.req,
    ctx.res,
    { login: { accountId }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
  ctx.redirect(to);
  return undefined;
});

provider.listen(port, '127.0.0.1', () => process.stdout.write(`ready ${issuer}\n`));
