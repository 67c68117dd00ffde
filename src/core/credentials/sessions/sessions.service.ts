import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { ActivityService } from '../../activity/activity.service.js';
import { EventsService } from '../../events/events.service.js';
import type { AuthContext, ClientInfo } from '../../users/auth-context.js';
import { DomainError } from '../../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../../platform/errors/errors.js';
import { CREDENTIAL_ERRORS } from '../errors.js';
import type { AppConfig } from '../../../platform/config/app-config.js';
import { InjectConfig } from '../../../platform/config/config.module.js';
import { BatchedTouch } from '../../../platform/database/batched-touch.js';
import { jsonObject, PreparedQuery } from '../../../platform/database/entity-rows.js';
import { accountUserObject, type AccountUser, type AccountUserRow } from '../../users/account-user.js';
import { User, UserStatus } from '../../users/user.entity.js';
import { RoleDirectory } from '../../users/role-directory.js';
import { atProvenVersion, provenVersion, type ProvenUser } from '../credential-version.js';
import { Session } from './session.entity.js';
import { newSessionId, SessionTokens, sameDigest, sha256Hex, type AccessTokenClaims } from './session-tokens.js';
import { newCookieSecret, parseSessionCookieValue, sessionCookieValue } from './session-cookie.js';

export interface TokenPair {
  token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
}

/** What authenticate() reads of a live session and its user, by name (see authenticationQuery()). */
interface SessionAuthenticationRow {
  /** `last_activity`, epoch milliseconds. */
  lastActivityMs: number;
  /** `logged_in_at`, epoch milliseconds. */
  loggedInAtMs: number;
  user: AccountUserRow;
}

/** What authenticateCookie() reads: the same, and the hash of the session's cookie secret to compare. */
interface CookieSessionAuthenticationRow extends SessionAuthenticationRow {
  secretHash: string;
}

/** A browser session just opened: the cookie's value, and the seconds it may stay unused. */
export interface BrowserSession {
  cookie: string;
  expires_in: number;
}

interface AuthenticationQuery {
  query: PreparedQuery;
  /** The same read for a browser session, by the cookie's session id (the secret is compared after). */
  cookieQuery: PreparedQuery;
  /** The once-a-minute `last_activity` write, for a batch of sessions. */
  touch: PreparedQuery;
}

/** A second refresh of the same token inside this window (two tabs) gets the same new pair. */
const REFRESH_GRACE_MS = 10_000;
/** `last_activity` is written at most this often per session. */
const ACTIVITY_WRITE_INTERVAL_MS = 60_000;

@Injectable()
export class SessionsService implements BeforeApplicationShutdown {
  readonly tokens: SessionTokens;
  private authentication?: AuthenticationQuery;
  /** `last_activity` writes, batched (see BatchedTouch). */
  private readonly lastActivityWrites = new BatchedTouch<string>(
    (sessionIds) => this.authenticationQuery().touch.rows([sessionIds, this.config.sessionCookie.ttlSeconds]),
    (error, count) => this.logger.warn({ err: error, sessions: count }, 'could not record session activity'),
  );
  private readonly logger = new Logger(SessionsService.name);

  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    @InjectConfig() private readonly config: AppConfig,
    private readonly activity: ActivityService,
    private readonly roles: RoleDirectory,
    private readonly events: EventsService,
  ) {
    this.tokens = new SessionTokens(config.jwtSecret!, config.accessTokenTtlSeconds);
  }

  /**
   * Opens a session for a user who just proved who they are, and returns its first token pair; null when the
   * account's credentials ended since the proof: `user` is the row as read with it, and its credential version is no
   * longer the account's (see credential-version.ts for how the insert decides against an ending in progress).
   */
  async open(user: ProvenUser, client: ClientInfo, deviceName: string | null, manager?: EntityManager): Promise<TokenPair | null> {
    return this.inTransaction(manager, (transaction) => this.insertSession(user, client, deviceName, transaction));
  }

  /** The session row and its `session.created` event, on one transaction. */
  private async insertSession(user: ProvenUser, client: ClientInfo, deviceName: string | null, manager: EntityManager): Promise<TokenPair | null> {
    const now = new Date();
    const id = newSessionId();
    const generation = 1;
    const opened = (await manager.query(
      `INSERT INTO sessions (id, user_id, ip_address, user_agent, device_name, last_activity, expires_at, logged_in_at, generation, rotated_at,
                             refresh_token_hash, previous_refresh_token_hash, credential_version)
       SELECT $1, u.id, $3, $4, $5, $6, $7, $6, $8, $6, $9, NULL, u.credential_version ${atProvenVersion('$2', '$10')}
       RETURNING id`,
      [
        id,
        user.id,
        client.ip,
        client.userAgent,
        deviceName,
        now,
        new Date(now.getTime() + this.config.sessionTtlSeconds * 1000),
        generation,
        sha256Hex(this.tokens.refreshToken(id, generation)),
        provenVersion(user),
      ],
    )) as Array<{ id: string }>;
    if (opened.length !== 1) return null;
    await this.events.emitForUser(manager, 'session.created', user.id, { session_id: id });
    return this.pair(user.id, id, generation, now);
  }

  /** Runs `work` on the caller's transaction, or on a new one: a session change and its event commit together. */
  private inTransaction<T>(manager: EntityManager | undefined, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return manager ? work(manager) : this.sessions.manager.transaction(work);
  }

  /** `session.revoked` for each session `ids` names, on the revoking transaction. */
  private async announceRevoked(userId: number, ids: readonly string[], manager: EntityManager): Promise<void> {
    for (const id of ids) await this.events.emitForUser(manager, 'session.revoked', userId, { session_id: id });
  }

  /**
   * Opens a browser session (`session: "cookie"`): no tokens, a cookie holding the session's id and a secret whose
   * SHA-256 alone is stored; it lives SESSION_COOKIE_TTL, slid forward with use. Null as for open().
   */
  async openBrowser(user: ProvenUser, client: ClientInfo, deviceName: string | null): Promise<BrowserSession | null> {
    return this.inTransaction(undefined, (manager) => this.insertBrowserSession(user, client, deviceName, manager));
  }

  /** The browser session's row and its `session.created` event (as a bearer session's), on one transaction. */
  private async insertBrowserSession(user: ProvenUser, client: ClientInfo, deviceName: string | null, manager: EntityManager): Promise<BrowserSession | null> {
    const now = new Date();
    const id = newSessionId();
    const secret = newCookieSecret();
    const opened = (await manager.query(
      `INSERT INTO sessions (id, user_id, ip_address, user_agent, device_name, last_activity, expires_at, logged_in_at, generation, rotated_at,
                             cookie_secret_hash, credential_version)
       SELECT $1, u.id, $3, $4, $5, $6, $7, $6, 1, $6, $8, u.credential_version ${atProvenVersion('$2', '$9')}
       RETURNING id`,
      [
        id,
        user.id,
        client.ip,
        client.userAgent,
        deviceName,
        now,
        new Date(now.getTime() + this.config.sessionCookie.ttlSeconds * 1000),
        sha256Hex(secret),
        provenVersion(user),
      ],
    )) as Array<{ id: string }>;
    if (opened.length !== 1) return null;
    await this.events.emitForUser(manager, 'session.created', user.id, { session_id: id });
    return { cookie: sessionCookieValue(id, secret), expires_in: this.config.sessionIdleTtlSeconds };
  }

  /**
   * A new cookie secret for a live browser session (its owner changed the password from it): the old cookie value
   * stops working at once. The new value, or null when the session is not a live browser session.
   */
  async renewCookie(sessionId: string, manager: EntityManager): Promise<string | null> {
    const secret = newCookieSecret();
    const renewed = (await manager.query(
      `UPDATE sessions SET cookie_secret_hash = $2 WHERE id = $1 AND cookie_secret_hash IS NOT NULL AND revoked_at IS NULL RETURNING id`,
      [sessionId, sha256Hex(secret)],
    )) as [Array<{ id: string }>, number];
    return renewed[0].length === 1 ? sessionCookieValue(sessionId, secret) : null;
  }

  /** Keeps a session across an ending of its account's credentials (its owner set the new password from it). */
  async moveToCredentialVersion(sessionId: string, credentialVersion: number, manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE sessions SET credential_version = $2 WHERE id = $1 AND revoked_at IS NULL`, [sessionId, credentialVersion]);
  }

  /**
   * Rotates a refresh token. A spent token revokes the whole session (it was stolen or replayed), except a
   * second use of the just-spent token within the grace window, which gets the same new pair.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const parsed = this.tokens.parseRefreshToken(refreshToken);
    if (!parsed) throw new DomainError(PLATFORM_ERRORS.UNAUTHENTICATED);
    const session = await this.sessions
      .createQueryBuilder('s')
      .addSelect(['s.refreshTokenHash', 's.previousRefreshTokenHash'])
      // Of the user only what the ban and version checks need: hydrating the whole row was most of a refresh's own CPU.
      .innerJoin('s.user', 'u')
      .addSelect(['u.id', 'u.status', 'u.credentialVersion'])
      // A browser session has no refresh token.
      .where('s.id = :id AND s.revoked_at IS NULL AND s.expires_at > now() AND s.cookie_secret_hash IS NULL', { id: parsed.sessionId })
      .getOne();
    // A session of former credentials refreshes no more (their ending revokes it too).
    if (!session || !session.user || session.credentialVersion !== session.user.credentialVersion) throw new DomainError(PLATFORM_ERRORS.UNAUTHENTICATED);
    if (session.user.status === UserStatus.Banned) throw new DomainError(CREDENTIAL_ERRORS.ACCOUNT_BANNED);
    if (this.isIdle(session.lastActivity.getTime())) {
      // Unused for SESSION_IDLE_TTL: whoever holds its refresh token now, the session is over.
      await this.revokeForReason(session, 'idle');
      throw new DomainError(PLATFORM_ERRORS.UNAUTHENTICATED);
    }
    const presented = sha256Hex(refreshToken);

    if (sameDigest(presented, session.refreshTokenHash) && parsed.generation === session.generation) {
      const rotated = await this.rotate(session);
      if (rotated) return rotated;
      // Another request rotated it first: fall through to the grace check against the fresh row.
      return this.refresh(refreshToken);
    }
    const withinGrace = Date.now() - session.rotatedAt.getTime() <= REFRESH_GRACE_MS;
    if (sameDigest(presented, session.previousRefreshTokenHash) && parsed.generation === session.generation - 1 && withinGrace) {
      return this.pair(session.userId, session.id, session.generation, session.rotatedAt, new Date());
    }
    if (parsed.generation < session.generation) await this.revokeForReason(session, 'refresh-token-reuse');
    throw new DomainError(PLATFORM_ERRORS.UNAUTHENTICATED);
  }

  /**
   * Resolves an access token's claims to the caller in one database round trip: the session must be live and
   * the user not banned. Revocation therefore takes effect on the very next request.
   */
  async authenticate(claims: AccessTokenClaims, client: ClientInfo): Promise<AuthContext> {
    const row = await this.authenticationQuery().query.value<SessionAuthenticationRow>([claims.sid, Number(claims.sub)]);
    if (!row) throw new DomainError(PLATFORM_ERRORS.UNAUTHENTICATED);
    const { context } = await this.callerOf(row, claims.sid, client);
    return context;
  }

  /**
   * Resolves a browser session's cookie to the caller the same way, in one round trip: the row by the cookie's session
   * id, then its secret's hash compared in constant time. The session's expiry slides with use, in the batched
   * `last_activity` write; when that write is due the response sets the cookie again (a fresh Max-Age).
   */
  async authenticateCookie(cookie: string, client: ClientInfo): Promise<AuthContext> {
    const parsed = parseSessionCookieValue(cookie);
    if (!parsed) throw new DomainError(PLATFORM_ERRORS.UNAUTHENTICATED);
    const row = await this.authenticationQuery().cookieQuery.value<CookieSessionAuthenticationRow>([parsed.sessionId]);
    if (!row || !sameDigest(sha256Hex(parsed.secret), row.secretHash)) throw new DomainError(PLATFORM_ERRORS.UNAUTHENTICATED);
    const { context, touched } = await this.callerOf(row, parsed.sessionId, client);
    context.session!.cookie = touched ? { value: cookie, reply: 'set' } : { value: cookie };
    return context;
  }

  /** The ban, role and idle rules on a session's row, shared by both kinds of session; queues the activity write. */
  private async callerOf(row: SessionAuthenticationRow, sessionId: string, client: ClientInfo): Promise<{ context: AuthContext; touched: boolean }> {
    const user: AccountUser = row.user;
    if (user.status === UserStatus.Banned) throw new DomainError(CREDENTIAL_ERRORS.ACCOUNT_BANNED);
    user.role = await this.roles.get(user.roleId);
    if (!user.role) throw new DomainError(PLATFORM_ERRORS.UNAUTHENTICATED);
    // From the row already read, so the idle rule costs the request no query; the next refresh revokes the session.
    if (this.isIdle(row.lastActivityMs)) throw new DomainError(PLATFORM_ERRORS.UNAUTHENTICATED);
    const touched = Date.now() - row.lastActivityMs > ACTIVITY_WRITE_INTERVAL_MS;
    if (touched) this.lastActivityWrites.add(sessionId);
    return { context: { user, client, session: { id: sessionId, loggedInAt: new Date(row.loggedInAtMs) }, apiKey: null }, touched };
  }

  /**
   * The statements behind authenticate(), built on first use: prepared on the pool's connections rather than built
   * by the query builder per request (it runs on every authenticated request). The row is one JSON object read by
   * name (SessionAuthenticationRow): `last_activity` and `logged_in_at` in epoch milliseconds (a number, not a
   * timestamp to parse) and the user (accountUserObject), its timestamps already strings; the role comes from memory
   * (RoleDirectory).
   */
  private authenticationQuery(): AuthenticationQuery {
    if (!this.authentication) {
      const dataSource = this.sessions.manager.connection;
      const columns = {
        lastActivityMs: 'floor(extract(epoch FROM "s"."last_activity") * 1000)::float8',
        loggedInAtMs: 'floor(extract(epoch FROM "s"."logged_in_at") * 1000)::float8',
        user: accountUserObject('u'),
      } satisfies Record<keyof SessionAuthenticationRow, string>;
      const live = `"s"."revoked_at" IS NULL AND "s"."expires_at" > now()`;
      const query = new PreparedQuery(
        dataSource,
        'tessera_session_authenticate',
        `SELECT ${jsonObject(columns)}
           FROM "sessions" "s" JOIN "users" "u" ON "u"."id" = "s"."user_id"
          WHERE "s"."id" = $1 AND "s"."user_id" = $2 AND ${live} AND "s"."cookie_secret_hash" IS NULL`,
      );
      const cookieQuery = new PreparedQuery(
        dataSource,
        'tessera_cookie_session_authenticate',
        `SELECT ${jsonObject({ ...columns, secretHash: '"s"."cookie_secret_hash"' } satisfies Record<keyof CookieSessionAuthenticationRow, string>)}
           FROM "sessions" "s" JOIN "users" "u" ON "u"."id" = "s"."user_id"
          WHERE "s"."id" = $1 AND ${live} AND "s"."cookie_secret_hash" IS NOT NULL`,
      );
      // A browser session's expiry slides with the same write: SESSION_COOKIE_TTL from its last use.
      const touch = new PreparedQuery(
        dataSource,
        'tessera_session_touch',
        `UPDATE "sessions" SET "last_activity" = now(),
                "expires_at" = CASE WHEN "cookie_secret_hash" IS NULL THEN "expires_at" ELSE now() + make_interval(secs => $2) END
          WHERE "id" = ANY($1::varchar[]) AND "last_activity" < now() - interval '60 seconds'`,
      );
      this.authentication = { query, cookieQuery, touch };
    }
    return this.authentication;
  }

  /** Active sessions of a user (not revoked, expired or idle), most recent activity first. */
  listActive(userId: number): Promise<Session[]> {
    return this.sessions
      .createQueryBuilder('s')
      // An idle session is over (its tokens are refused), even before a refresh attempt marks it revoked.
      .where('s.user_id = :userId AND s.revoked_at IS NULL AND s.expires_at > now()', { userId })
      .andWhere('s.last_activity > now() - make_interval(secs => :idle)', { idle: this.config.sessionIdleTtlSeconds })
      .orderBy('s.last_activity', 'DESC')
      .getMany();
  }

  /** One active session of the user; another user's session is NOT_FOUND, never FORBIDDEN. */
  async getOwn(userId: number, sessionId: string): Promise<Session> {
    const session = await this.sessions
      .createQueryBuilder('s')
      .where('s.id = :sessionId AND s.user_id = :userId AND s.revoked_at IS NULL AND s.expires_at > now()', { sessionId, userId })
      .getOne();
    if (!session) throw new DomainError(PLATFORM_ERRORS.NOT_FOUND);
    return session;
  }

  /** Revokes one of the caller's sessions. */
  async revokeOwn(auth: AuthContext, sessionId: string): Promise<void> {
    const session = await this.getOwn(auth.user.id, sessionId);
    await this.revokeSession(session.id);
    await this.activity.record({
      event: 'user:session.revoked',
      userId: auth.user.id,
      auth,
      properties: { session_id_prefix: session.id.slice(0, 8) },
    });
  }

  /** Revokes every session of the caller but the current one. */
  async revokeOthers(auth: AuthContext): Promise<void> {
    const revoked = await this.revokeAllForUser(auth.user.id, auth.session?.id ?? null);
    if (revoked > 0) {
      await this.activity.record({ event: 'user:session.revoked', userId: auth.user.id, auth, properties: { count: revoked } });
    }
  }

  /** Revokes every session of a user but `exceptSessionId` (the caller's own, when they keep it). */
  async revokeAllForUser(userId: number, exceptSessionId: string | null = null, manager?: EntityManager): Promise<number> {
    return this.inTransaction(manager, async (transaction) => {
      const revoked = (await transaction.query(
        `UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL AND ($2::varchar IS NULL OR id <> $2) RETURNING id`,
        [userId, exceptSessionId],
      )) as [Array<{ id: string }>, number];
      await this.announceRevoked(userId, revoked[0].map(({ id }) => id), transaction);
      return revoked[1];
    });
  }

  /**
   * Keeps the user's `keep` most recently used active sessions and revokes the rest, recording why (`session-limit`).
   * Run after a session opens: concurrent sign-ins each trim after their own insert, so the last one leaves at most
   * `keep`.
   */
  async revokeLeastRecentlyUsed(userId: number, keep: number): Promise<void> {
    const result = await this.sessions.manager.transaction(async (manager) => {
      const trimmed = await this.trimSessions(manager, userId, keep);
      await this.announceRevoked(userId, (trimmed.raw as Array<{ id: string }>).map(({ id }) => id), manager);
      return trimmed;
    });
    for (const { id } of result.raw as Array<{ id: string }>) {
      await this.activity.record({
        event: 'user:session.revoked',
        userId,
        actorId: null,
        properties: { session_id_prefix: id.slice(0, 8), reason: 'session-limit' },
      });
    }
  }

  private trimSessions(manager: EntityManager, userId: number, keep: number) {
    return manager
      .createQueryBuilder()
      .update(Session)
      .set({ revokedAt: () => 'now()' })
      .where(
        `revoked_at IS NULL AND id IN (
           SELECT id FROM sessions WHERE user_id = :userId AND revoked_at IS NULL AND expires_at > now()
            ORDER BY last_activity DESC, created_at DESC OFFSET :keep)`,
        { userId, keep },
      )
      .returning('id')
      .execute();
  }

  async revokeSession(sessionId: string, manager?: EntityManager): Promise<void> {
    await this.inTransaction(manager, async (transaction) => {
      const [rows] = (await transaction.query(`UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING user_id`, [
        sessionId,
      ])) as [Array<{ user_id: number }>, number];
      if (rows.length > 0) await this.announceRevoked(rows[0].user_id, [sessionId], transaction);
    });
  }

  /** True when the caller proved their password in this session within RECENT_AUTH_SECONDS. API keys never are. */
  isRecentlyAuthenticated(auth: AuthContext, now = new Date()): boolean {
    if (!auth.session) return false;
    return now.getTime() - auth.session.loggedInAt.getTime() <= this.config.recentAuthSeconds * 1000;
  }

  /** Revokes a session on the system's own initiative (no caller to name), recording why. */
  private async revokeForReason(session: Session, reason: 'idle' | 'refresh-token-reuse'): Promise<void> {
    await this.revokeSession(session.id);
    await this.activity.record({
      event: 'user:session.revoked',
      userId: session.userId,
      actorId: null,
      properties: { session_id_prefix: session.id.slice(0, 8), reason },
    });
  }

  /** True when a session last seen at `lastActivityMs` (epoch milliseconds) has been unused for SESSION_IDLE_TTL. */
  private isIdle(lastActivityMs: number): boolean {
    return Date.now() - lastActivityMs > this.config.sessionIdleTtlSeconds * 1000;
  }

  private async rotate(session: Session): Promise<TokenPair | null> {
    const now = new Date();
    const generation = session.generation + 1;
    const result = await this.sessions
      .createQueryBuilder()
      .update(Session)
      .set({
        generation,
        rotatedAt: now,
        previousRefreshTokenHash: session.refreshTokenHash,
        refreshTokenHash: sha256Hex(this.tokens.refreshToken(session.id, generation)),
        lastActivity: now,
      })
      // Compare-and-swap: of two concurrent refreshes only one rotates; and only while the account's credentials are
      // still the ones the session proved.
      .where(
        'id = :id AND generation = :generation AND revoked_at IS NULL AND credential_version = (SELECT credential_version FROM users WHERE id = :userId)',
        { id: session.id, generation: session.generation, userId: session.userId },
      )
      .execute();
    if (result.affected !== 1) return null;
    return this.pair(session.userId, session.id, generation, now);
  }

  /** The pair of a generation; `now` differs from `issuedAt` only when a pair is answered again in the grace window. */
  private pair(userId: number, sessionId: string, generation: number, issuedAt: Date, now = issuedAt): TokenPair {
    return {
      token: this.tokens.signAccessToken({ sub: String(userId), sid: sessionId, gen: generation }, issuedAt),
      token_type: 'Bearer',
      expires_in: this.tokens.expiresIn(issuedAt, now),
      refresh_token: this.tokens.refreshToken(sessionId, generation),
    };
  }

  /** Conditional, so concurrent requests and other instances write at most once a minute. */
  /** Writes the pending `last_activity` batch now (tests; shutdown). */
  flushActivity(): Promise<void> {
    return this.lastActivityWrites.flush();
  }

  /** On shutdown, before the pool closes: write what is pending. */
  beforeApplicationShutdown(): Promise<void> {
    return this.lastActivityWrites.flush();
  }
}
