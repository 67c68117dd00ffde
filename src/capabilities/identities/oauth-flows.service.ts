import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { DataSource, type EntityManager } from 'typeorm';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { atRestKey, openAtRest, sealAtRest } from '../../platform/crypto/at-rest-cipher.js';
import { sameDigest, sha256Hex } from '../../core/credentials/sessions/session-tokens.js';
import type { FlowSecrets } from './identity-providers.service.js';

/** A flow (and a link ticket) lives 10 minutes: the state cookie's lifetime. */
export const FLOW_TTL_SECONDS = 600;
/** A sign-in code lives 60 seconds: the SPA exchanges it as soon as it loads. */
export const SIGN_IN_CODE_TTL_SECONDS = 60;

/** A flow the callback took (it can never be taken again), and whether it belongs to this browser and is still live. */
export interface TakenFlow {
  returnTo: string;
  secrets: FlowSecrets;
  /** Set when the flow links an identity to this user instead of signing in. */
  linkUserId: number | null;
  /** The linking user's credential version when the link was asked for: a recovery since ends the link. */
  credentialVersion: number | null;
  /** The state cookie this browser sent is the one the flow began with. */
  sameBrowser: boolean;
  live: boolean;
}

/** A sign-in code that was just spent. */
export interface SpentSignInCode {
  userId: number;
  identityId: number;
  /** The credential version read with the identity: a session opens only while the account still has it. */
  credentialVersion: number;
}

interface FlowRow {
  return_to: string;
  nonce: string | null;
  code_verifier: string;
  link_user_id: number | null;
  credential_version: number | null;
  browser_hash: string;
  live: boolean;
}

/** A random token, base64url, 256 bits. */
export const randomToken = (): string => randomBytes(32).toString('base64url');

/**
 * The flows between authorize and callback, in PostgreSQL so any instance finishes what another began. Only hashes
 * of the state, the browser's cookie, link tickets and sign-in codes are stored; the PKCE verifier, which must be
 * read back, is sealed at rest (platform/crypto) and bound to its row's state. Each is taken by one atomic
 * statement (UPDATE or DELETE … RETURNING), so two requests never both use one.
 */
@Injectable()
export class OAuthFlows {
  private readonly verifierKey: Buffer;

  constructor(
    private readonly dataSource: DataSource,
    @InjectConfig() config: AppConfig,
  ) {
    this.verifierKey = atRestKey(config, 'oauth-pkce-verifier');
  }

  /** A single-use link ticket (10 minutes) for `userId`, at the account's credential version now. */
  async createLinkTicket(provider: string, userId: number, returnTo: string): Promise<string> {
    const ticket = randomToken();
    await this.dataSource.query(
      `INSERT INTO oauth_flows (provider, link_ticket_hash, link_user_id, credential_version, return_to, expires_at)
       SELECT $1, $2, u.id, u.credential_version, $4, now() + make_interval(secs => $5) FROM users u WHERE u.id = $3`,
      [provider, sha256Hex(ticket), userId, returnTo, FLOW_TTL_SECONDS],
    );
    return ticket;
  }

  /** Stores a new flow bound to the browser's key; the secrets to send the provider. */
  async begin(provider: string, returnTo: string, browserKey: string, withNonce: boolean): Promise<FlowSecrets> {
    const secrets = newSecrets(withNonce);
    await this.pruneExpired();
    await this.dataSource.query(
      `INSERT INTO oauth_flows (provider, state_hash, browser_hash, nonce, code_verifier, return_to, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))`,
      [provider, sha256Hex(secrets.state), sha256Hex(browserKey), secrets.nonce, this.seal(secrets), returnTo, FLOW_TTL_SECONDS],
    );
    return secrets;
  }

  /**
   * Spends a link ticket (once, within its 10 minutes, for this provider) and turns it into a flow bound to this
   * browser; null when the ticket is unknown, spent or expired.
   */
  async beginFromTicket(provider: string, ticket: string, browserKey: string, withNonce: boolean): Promise<{ returnTo: string; secrets: FlowSecrets } | null> {
    const secrets = newSecrets(withNonce);
    const [rows] = (await this.dataSource.query(
      `UPDATE oauth_flows SET link_ticket_hash = NULL, state_hash = $3, browser_hash = $4, nonce = $5, code_verifier = $6,
              expires_at = now() + make_interval(secs => $7)
        WHERE link_ticket_hash = $2 AND provider = $1 AND expires_at > now()
        RETURNING return_to`,
      [provider, sha256Hex(ticket), sha256Hex(secrets.state), sha256Hex(browserKey), secrets.nonce, this.seal(secrets), FLOW_TTL_SECONDS],
    )) as [Array<{ return_to: string }>, number];
    return rows[0] ? { returnTo: rows[0].return_to, secrets } : null;
  }

  /** Takes the flow of `state` (deleting it: a state is used once, whoever presents it); null when there is none. */
  async take(provider: string, state: string, browserKey: string | undefined): Promise<TakenFlow | null> {
    const stateHash = sha256Hex(state);
    const [rows] = (await this.dataSource.query(
      `DELETE FROM oauth_flows WHERE state_hash = $1 AND provider = $2
       RETURNING return_to, nonce, code_verifier, link_user_id, credential_version, browser_hash, expires_at > now() AS live`,
      [stateHash, provider],
    )) as [FlowRow[], number];
    const row = rows[0];
    if (!row) return null;
    return {
      returnTo: row.return_to,
      secrets: { state, nonce: row.nonce, codeVerifier: openAtRest(this.verifierKey, row.code_verifier, stateHash) },
      linkUserId: row.link_user_id,
      credentialVersion: row.credential_version,
      sameBrowser: browserKey !== undefined && sameDigest(sha256Hex(browserKey), row.browser_hash),
      live: row.live,
    };
  }

  /** A sign-in code (60 seconds, single use, stored hashed), on the caller's transaction. */
  async issueSignInCode(code: SpentSignInCode, manager: EntityManager): Promise<string> {
    const value = randomToken();
    await manager.query(
      `INSERT INTO oauth_sign_in_codes (code_hash, user_id, identity_id, credential_version, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
      [sha256Hex(value), code.userId, code.identityId, code.credentialVersion, SIGN_IN_CODE_TTL_SECONDS],
    );
    return value;
  }

  /** Spends a sign-in code: null when it is unknown, spent or expired. */
  async spendSignInCode(code: string): Promise<SpentSignInCode | null> {
    const [rows] = (await this.dataSource.query(
      `DELETE FROM oauth_sign_in_codes WHERE code_hash = $1
       RETURNING user_id, identity_id, credential_version, expires_at > now() AS live`,
      [sha256Hex(code)],
    )) as [Array<{ user_id: number; identity_id: number; credential_version: number; live: boolean }>, number];
    const row = rows[0];
    return row?.live ? { userId: row.user_id, identityId: row.identity_id, credentialVersion: row.credential_version } : null;
  }

  /** Drops a user's open link flows and unspent sign-in codes (an ending of their credentials); how many. */
  async dropForUser(userId: number, manager: EntityManager): Promise<number> {
    const [, flows] = (await manager.query(`DELETE FROM oauth_flows WHERE link_user_id = $1`, [userId])) as [unknown, number];
    const [, codes] = (await manager.query(`DELETE FROM oauth_sign_in_codes WHERE user_id = $1`, [userId])) as [unknown, number];
    return flows + codes;
  }

  /** Flows and codes past their life are useless: removed as new flows begin, so abandoned ones do not pile up. */
  private async pruneExpired(): Promise<void> {
    await this.dataSource.query(`DELETE FROM oauth_flows WHERE expires_at < now() - interval '1 hour'`);
    await this.dataSource.query(`DELETE FROM oauth_sign_in_codes WHERE expires_at < now() - interval '1 hour'`);
  }

  private seal(secrets: FlowSecrets): string {
    return sealAtRest(this.verifierKey, secrets.codeVerifier, sha256Hex(secrets.state));
  }
}

function newSecrets(withNonce: boolean): FlowSecrets {
  return { state: oidc.randomState(), nonce: withNonce ? oidc.randomNonce() : null, codeVerifier: oidc.randomPKCECodeVerifier() };
}
