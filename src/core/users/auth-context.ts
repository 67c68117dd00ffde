import type { AccountUser } from './account-user.js';
import type { ApiKeyScope } from './api-key-scopes.js';

/** Where a request came from; recorded on sessions and activity entries. */
export interface ClientInfo {
  ip: string;
  userAgent: string;
}

/** Who is calling, and with which credential. Built by the bearer guard, read by controllers and services. */
export interface AuthContext {
  /** The caller, with `role` loaded (the guard's read: timestamps as ISO strings, see AccountUser). */
  user: AccountUser;
  client: ClientInfo;
  /** Set when the credential is an access token or a browser session's cookie. */
  session: { id: string; loggedInAt: Date; cookie?: SessionCookieState } | null;
  /** Set when the credential is a personal API key, with what it may do. */
  apiKey: { id: number; identifier: string; scopes: readonly ApiKeyScope[] } | null;
}

/**
 * The browser session cookie a request authenticated with: its value, and what the response must do with it (set it
 * again, with a fresh Max-Age or a new value; or expire it), if anything.
 */
export interface SessionCookieState {
  value: string;
  reply?: 'set' | 'clear';
}

/** Who did something, as an activity entry names them: the authenticated caller, or an anonymous client with an explicit actor. */
export interface Actor {
  /** The authenticated caller; gives actor, IP, user agent and the API key, if any. */
  auth?: AuthContext;
  /** For anonymous callers (login, reset). */
  client?: ClientInfo;
  /** Overrides the actor (defaults to the authenticated caller). */
  actorId?: number | null;
}
