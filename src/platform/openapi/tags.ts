/** The document's security scheme and operation groups: what controllers name, what Swagger UI shows. */
export const BEARER_SCHEME = 'bearer';
/** The browser session cookie's security scheme, beside bearer on every protected operation. */
export const COOKIE_SCHEME = 'session_cookie';

/**
 * Operation groups of the document, by route family and capability. The keys are what controllers name; the values
 * are what Swagger UI shows, each with the description below.
 */
export const TAGS = {
  auth: 'auth',
  recovery: 'auth: password and email',
  me: 'me: profile',
  avatar: 'me: avatar',
  sessions: 'me: sessions',
  smsTwoFactor: 'me: two-factor by SMS',
  v1: 'v1: user',
  client: 'client: account',
  apiKeys: 'client: API keys',
  twoFactor: 'client: two-factor app',
  organizations: 'organizations',
  identities: 'identity providers',
  admin: 'admin',
  webhooks: 'admin: webhooks',
  webhookEvents: 'webhook events',
  countries: 'countries',
  health: 'health',
} as const;

export const TAG_DESCRIPTIONS: Record<(typeof TAGS)[keyof typeof TAGS], string> = {
  [TAGS.auth]: 'Register, log in (with a second factor when it is on), refresh the token pair, log out. Shared by every family.',
  [TAGS.recovery]: 'Reset a forgotten password by mail, verify an email address, mail the verification again.',
  [TAGS.me]: 'The signed-in user as the Vanguard front end sees it (`/api/me`): read the profile, change details and credentials.',
  [TAGS.avatar]: 'The signed-in user\'s picture (`/api/me/avatar`): upload an image, point at an external URL, remove it.',
  [TAGS.sessions]: 'The signed-in user\'s sessions (logins on each device): list them, revoke one, revoke all others.',
  [TAGS.smsTwoFactor]: 'Two-factor authentication with codes by SMS (`/api/me/2fa`): set up a phone, verify it, turn it off, new recovery codes.',
  [TAGS.v1]: 'The signed-in user as the Open Badge front end sees it (`/api/v1/auth/user`): read, change username and email, update the profile and picture.',
  [TAGS.client]: 'The signed-in user as the client panel sees it (`/api/client/account`): read, change email and password, read the activity log.',
  [TAGS.apiKeys]: 'Personal API keys (`ptlc_…`) of the client panel: list, create (the key is shown once), delete.',
  [TAGS.twoFactor]: 'Two-factor authentication with an authenticator app (`/api/client/account/two-factor`): set up, turn on, turn off.',
  [TAGS.organizations]:
    'Organizations (the `organization` of `/api/v1/auth/user`): create and edit them, their logo, members and roles, ownership, invitations by mail, the current organization; platform admins manage every organization under `/api/admin/organizations`.',
  [TAGS.identities]:
    'Sign in with Google, GitHub, Microsoft or any OpenID Connect provider the operator configured: the providers, the browser redirects, the one-time code exchange, and the signed-in user\'s linked identities.',
  [TAGS.admin]: 'Administration, for the admin role only: find, create, edit, ban and delete users, reset their two-factor, revoke their sessions, read their activity, list roles.',
  [TAGS.webhooks]:
    'Webhook endpoints, for the admin role: register a receiver of account events, choose its events, rotate its signing secret, ' +
    'watch and retry its deliveries, send it a test. See the guide in docs/guides/webhooks.md.',
  [TAGS.webhookEvents]:
    'The events Tessera POSTs to webhook endpoints (listed under `x-webhooks`): Standard Webhooks headers and signature, a JSON body ' +
    '`{type, timestamp, data}`; answer 2xx within 10 s.',
  [TAGS.countries]: 'The ISO 3166-1 countries a profile can name.',
  [TAGS.health]: 'Liveness and readiness probes for load balancers and orchestrators (outside `/api`).',
};

