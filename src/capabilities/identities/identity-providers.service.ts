import { Injectable, Logger } from '@nestjs/common';
import * as oidc from 'openid-client';
import { isLoopbackHost, type AppConfig, type OAuthProviderConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';

/** What a provider said about the account that signed in, once every check passed. Its tokens are dropped here. */
export interface ProviderAccount {
  issuer: string;
  subject: string;
  email: string | null;
  /** The provider asserts the address is its owner's (`email_verified`, GitHub's verified primary, or TRUST_EMAIL). */
  emailVerified: boolean;
  /** A name to derive a username from (`preferred_username`, GitHub's login), when the provider has one. */
  username: string | null;
  firstName: string | null;
  lastName: string | null;
}

/** What one flow sent the provider, checked against what comes back. */
export interface FlowSecrets {
  state: string;
  nonce: string | null;
  codeVerifier: string;
}

/** The provider could not be reached, or its answer failed a check: the callback ends with `provider_error`. */
export class ProviderFailure extends Error {}

/** How long a request to a provider may take (seconds). */
const PROVIDER_TIMEOUT_SECONDS = 10;

/**
 * The configured identity providers, through openid-client: OpenID Connect issuers by discovery, GitHub by its
 * documented endpoints (plain OAuth 2.0, whose user comes from its REST API). Nothing is fetched at start-up: each
 * provider is discovered on first use, and again after a failed discovery, so a provider that is down stops
 * nothing but its own sign-ins.
 */
@Injectable()
export class IdentityProviders {
  private readonly logger = new Logger(IdentityProviders.name);
  private readonly configurations = new Map<string, Promise<oidc.Configuration>>();

  constructor(@InjectConfig() private readonly config: AppConfig) {}

  list(): readonly OAuthProviderConfig[] {
    return this.config.oauth.providers;
  }

  /** The configured provider; 404 for any other id. */
  get(id: string): OAuthProviderConfig {
    const provider = this.config.oauth.providers.find((candidate) => candidate.id === id);
    if (!provider) throw new DomainError(PLATFORM_ERRORS.NOT_FOUND);
    return provider;
  }

  /** The redirect URI to register at the provider. */
  callbackUrl(provider: OAuthProviderConfig): string {
    return `${this.config.appUrl.replace(/\/+$/, '')}/api/oauth/${provider.id}/callback`;
  }

  /** Where to send the browser: code flow, PKCE S256, the state, and for OpenID Connect the nonce. */
  async authorizationUrl(provider: OAuthProviderConfig, secrets: FlowSecrets): Promise<string> {
    const configuration = await this.configurationOf(provider);
    const parameters: Record<string, string> = {
      redirect_uri: this.callbackUrl(provider),
      scope: provider.scopes.join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(secrets.codeVerifier),
      code_challenge_method: 'S256',
      state: secrets.state,
    };
    if (secrets.nonce !== null) parameters.nonce = secrets.nonce;
    return oidc.buildAuthorizationUrl(configuration, parameters).href;
  }

  /**
   * Trades the callback's code for tokens (the PKCE verifier proves this server started the flow) and reads who
   * signed in: from the ID token for OpenID Connect (its signature, issuer, audience, expiry and nonce verified by
   * openid-client), from the user API for GitHub. Any failure is a ProviderFailure.
   */
  async finish(provider: OAuthProviderConfig, callbackQuery: URLSearchParams, secrets: FlowSecrets): Promise<ProviderAccount> {
    try {
      const configuration = await this.configurationOf(provider);
      const currentUrl = new URL(this.callbackUrl(provider));
      currentUrl.search = callbackQuery.toString();
      const tokens = await oidc.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: secrets.codeVerifier,
        expectedState: secrets.state,
        ...(provider.type === 'oidc' ? { expectedNonce: secrets.nonce ?? undefined, idTokenExpected: true } : {}),
      });
      return provider.type === 'github' ? await this.githubAccount(provider, configuration, tokens.access_token) : this.oidcAccount(provider, tokens.claims());
    } catch (error) {
      if (error instanceof ProviderFailure) throw error;
      // The provider's answers may carry codes: the log names the failure, never the request.
      this.logger.warn({ provider: provider.id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }, 'identity provider sign-in failed');
      throw new ProviderFailure(provider.id);
    }
  }

  private oidcAccount(provider: OAuthProviderConfig, claims: oidc.IDToken | undefined): ProviderAccount {
    if (!claims) throw new ProviderFailure(`${provider.id}: no ID token`);
    const email = typeof claims.email === 'string' && claims.email.length > 0 ? claims.email : null;
    return {
      issuer: claims.iss,
      subject: claims.sub,
      email,
      emailVerified: email !== null && (claims.email_verified === true || provider.trustEmail),
      username: stringClaim(claims.preferred_username) ?? stringClaim(claims.nickname),
      firstName: stringClaim(claims.given_name),
      lastName: stringClaim(claims.family_name),
    };
  }

  /** GitHub's user (`id` is the stable subject; logins can be renamed) and its verified primary address. */
  private async githubAccount(provider: OAuthProviderConfig, configuration: oidc.Configuration, accessToken: string): Promise<ProviderAccount> {
    const api = githubApiBase(provider.issuer);
    const user = (await this.githubGet(configuration, accessToken, `${api}/user`)) as { id?: unknown; login?: unknown; name?: unknown };
    if (typeof user.id !== 'number' && typeof user.id !== 'string') throw new ProviderFailure(`${provider.id}: user without id`);
    const emails = (await this.githubGet(configuration, accessToken, `${api}/user/emails`)) as Array<{ email?: unknown; primary?: unknown; verified?: unknown }>;
    const primary = Array.isArray(emails) ? emails.find((entry) => entry.primary === true && typeof entry.email === 'string') : undefined;
    const [firstName, ...rest] = typeof user.name === 'string' ? user.name.trim().split(/\s+/) : [];
    return {
      issuer: provider.issuer,
      subject: String(user.id),
      email: (primary?.email as string | undefined) ?? null,
      emailVerified: primary !== undefined && (primary.verified === true || provider.trustEmail),
      username: stringClaim(user.login),
      firstName: firstName || null,
      lastName: rest.length > 0 ? rest.join(' ') : null,
    };
  }

  private async githubGet(configuration: oidc.Configuration, accessToken: string, url: string): Promise<unknown> {
    const response = await oidc.fetchProtectedResource(configuration, accessToken, new URL(url), 'GET', undefined, new Headers({ Accept: 'application/vnd.github+json' }));
    if (!response.ok) throw new ProviderFailure(`GET ${url}: ${response.status}`);
    return response.json();
  }

  /** The provider's client configuration, discovered once; a failed discovery is forgotten, so the next sign-in tries again. */
  private configurationOf(provider: OAuthProviderConfig): Promise<oidc.Configuration> {
    let configuration = this.configurations.get(provider.id);
    if (!configuration) {
      configuration = this.configure(provider).catch((error: unknown) => {
        this.configurations.delete(provider.id);
        this.logger.warn({ provider: provider.id, error: error instanceof Error ? error.message : String(error) }, 'identity provider discovery failed');
        throw new ProviderFailure(provider.id);
      });
      this.configurations.set(provider.id, configuration);
    }
    return configuration;
  }

  private async configure(provider: OAuthProviderConfig): Promise<oidc.Configuration> {
    const issuer = new URL(provider.issuer);
    // Plain http only on loopback (development and tests): openid-client refuses it unless told, per request.
    const insecure = issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname);
    const authentication = provider.clientSecret === undefined ? oidc.None() : oidc.ClientSecretPost(provider.clientSecret);
    let configuration: oidc.Configuration;
    if (provider.type === 'github') {
      configuration = new oidc.Configuration(
        { issuer: provider.issuer, authorization_endpoint: `${issuer.origin}/login/oauth/authorize`, token_endpoint: `${issuer.origin}/login/oauth/access_token` },
        provider.clientId,
        undefined,
        authentication,
      );
      if (insecure) oidc.allowInsecureRequests(configuration);
    } else {
      configuration = await oidc.discovery(issuer, provider.clientId, undefined, authentication, {
        timeout: PROVIDER_TIMEOUT_SECONDS,
        ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
      // openid-client trusts an ID token from the token endpoint by default (it came over TLS); Tessera checks its signature too.
      oidc.enableNonRepudiationChecks(configuration);
    }
    configuration.timeout = PROVIDER_TIMEOUT_SECONDS;
    return configuration;
  }
}

/** github.com's API lives on api.github.com; GitHub Enterprise Server's (and the tests' stand-in) under /api/v3. */
export function githubApiBase(issuer: string): string {
  const base = new URL(issuer);
  return base.hostname === 'github.com' ? 'https://api.github.com' : `${base.origin}/api/v3`;
}

function stringClaim(value: unknown): string | null {
  return typeof value === 'string' && value.trim().length > 0 ? value.trim() : null;
}
