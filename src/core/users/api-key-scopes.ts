/**
 * What a personal API key may do (docs/guides/api-keys.md#scopes). Every authenticated route names one of these through
 * @Authenticated(scope) (or @AdminOnly(), which needs `admin`); the bearer guard refuses a key without it.
 * Access tokens are not limited by scopes.
 */
export const API_KEY_SCOPES = ['account.read', 'account.write', 'activity.read', 'sessions.read', 'sessions.write', 'organizations.read', 'organizations.write', 'admin'] as const;

export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Only an admin may grant it; it opens the admin routes to the key (the role is still checked on each request). */
export const ADMIN_SCOPE: ApiKeyScope = 'admin';

/** A key created without `scopes` (and every key made before scopes existed) gets these: all but `admin`. */
export const DEFAULT_API_KEY_SCOPES: readonly ApiKeyScope[] = API_KEY_SCOPES.filter((scope) => scope !== ADMIN_SCOPE);

/** What each scope opens, for the OpenAPI document. */
export const API_KEY_SCOPE_DESCRIPTIONS: Record<ApiKeyScope, string> = {
  'account.read': 'read the account in every family (GET /api/me, /api/v1/auth/user, /api/client/account, the key list)',
  'account.write': 'change profile details and the avatar in every family (credential changes stay refused to API keys)',
  'activity.read': 'read the activity log',
  'sessions.read': 'list and read sessions',
  'sessions.write': 'revoke sessions',
  'organizations.read': 'read the organizations the user belongs to, their members and invitations',
  'organizations.write': 'create organizations, choose the current one, edit them, invite and manage members (transfer and deletion stay refused to API keys)',
  admin: 'the admin routes (only an admin may grant it)',
};
