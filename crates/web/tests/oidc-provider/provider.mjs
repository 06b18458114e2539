// A real OpenID provider (the certified `oidc-provider`) for vmportal's sign-in tests, started by
// crates/web/tests/it/oidc.rs under Debian's nodejs on a loopback port, over TLS with the test's
// CA. Its login page is oidc-provider's own (any password; the accounts are the test's).
//
// Environment: PORT, TLS_CERT, TLS_KEY (PEM files), CLIENT_ID, CLIENT_SECRET, REDIRECT_URI,
// ACCOUNTS (JSON file: login -> claims), MODE_FILE (see below).
//
// MODE_FILE lets a test play a man in the middle of the token endpoint's answer, to check that
// the portal refuses what a provider must never send: "tamper" changes the ID token's subject
// without signing it again; "wrong-audience" signs, with the provider's own key, an ID token
// meant for another client. Any other content (or none) leaves the answers alone.
import Provider from 'oidc-provider';
import * as jose from 'jose';
import { readFileSync, existsSync } from 'node:fs';
import https from 'node:https';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const port = Number(env('PORT'));
const issuer = `https://127.0.0.1:${port}`;
const accounts = JSON.parse(readFileSync(env('ACCOUNTS'), 'utf8'));
const modeFile = env('MODE_FILE');

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await jose.exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: [{
    client_id: env('CLIENT_ID'),
    client_secret: env('CLIENT_SECRET'),
    redirect_uris: [env('REDIRECT_URI')],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['vmportal-test-provider'] },
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'name', 'groups'],
    email: ['email', 'email_verified'],
  },
  // The claims of the scopes asked for go into the ID token, where the portal reads them.
  conformIdTokenClaims: false,
  async findAccount(ctx, id) {
    const claims = accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  // The portal is a first-party client: no consent page.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile email');
    await grant.save();
    return grant;
  },
});

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const unb64 = (part) => JSON.parse(Buffer.from(part, 'base64url').toString());

provider.use(async (ctx, next) => {
  await next();
  const mode = existsSync(modeFile) ? readFileSync(modeFile, 'utf8').trim() : '';
  if (ctx.path !== '/token' || !ctx.body || !ctx.body.id_token) return;
  const [header, payload, signature] = ctx.body.id_token.split('.');
  if (mode === 'tamper') {
    const claims = unb64(payload);
    claims.sub = 'someone-else';
    claims.preferred_username = 'someone-else';
    ctx.body = { ...ctx.body, id_token: [header, b64(claims), signature].join('.') };
  } else if (mode === 'wrong-audience') {
    const claims = { ...unb64(payload), aud: 'another-client' };
    const token = await new jose.SignJWT(claims)
      .setProtectedHeader(unb64(header))
      .sign(privateKey);
    ctx.body = { ...ctx.body, id_token: token };
  }
});

const tls = { cert: readFileSync(env('TLS_CERT')), key: readFileSync(env('TLS_KEY')) };
https.createServer(tls, provider.callback()).listen(port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
