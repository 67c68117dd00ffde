/**
 * Issue 28, attack 3: sign-ins racing a recovery. Loops of `POST /api/login` with the old password (and refreshes,
 * two-factor logins, passkey sign-ins) run while the owner's password reset, password change or email-change revert,
 * or an admin's ban, commits; afterwards not one session, refresh or two-factor challenge that proved the former
 * credentials may work (after a ban: not even once the account is unbanned).
 *
 * Each scenario runs ROUNDS rounds on a fresh account, CONCURRENCY sign-in loops at a time; the change starts once
 * every loop has had an answer, so sign-ins are in flight on both sides of its commit. The tests wait on answers,
 * never on time. With RACE_STATS=<file>, each scenario appends its figures there (one JSON line).
 */
import { appendFileSync } from 'node:fs';
import type { Response } from 'supertest';
import { UserTokensService } from '../../../src/capabilities/account-recovery/user-tokens.service.js';
import { MailService } from '../../../src/platform/mail/mail.service.js';
import { loggedInAdmin } from '../../support/admin-helpers.js';
import { bootMailingTestApp, type MailingTestApp } from '../../support/app.js';
import { bearer, loggedInUser, markEmailVerified, type LoggedInUser, type TokenPair, uniqueName } from '../../support/factories.js';
import { SoftwareAuthenticator } from '../../support/software-authenticator.js';
import { enableTotp } from '../../support/two-factor-helpers.js';

const FRONTEND_URL = 'https://spa.example.test';
const CONCURRENCY = 6;
const CHALLENGE_DEAD = 'The two-factor challenge has expired or has been used up. Log in again.';

/** One answer of a sign-in loop; `raced` when it came after the change was sent (so it was in flight meanwhile). */
interface Answer {
  status: number;
  body: Record<string, unknown>;
  raced: boolean;
}

/** What a scenario saw over all its rounds. */
interface Figures {
  scenario: string;
  rounds: number;
  concurrency: number;
  /** Sign-ins (or refreshes) answered 200 while the change was in flight. */
  racedSuccesses: number;
  /** Every answer that came while the change was in flight. */
  racedAnswers: number;
  /** How many answers of each status the loops got, over all rounds. */
  statuses: Record<number, number>;
  /** Tokens, refresh tokens or challenges that still worked after the change. */
  survivors: number;
  /** Session rows (but the changer's own) left unrevoked after the change. */
  unrevokedSessions: number;
  /** Sign-ins whose proof was checked against the former credentials, refused when they came to open a session or challenge. */
  refusedAsSuperseded: number;
}

describe('sign-ins racing a recovery (issue 28, attack 3)', () => {
  let t: MailingTestApp;

  beforeAll(async () => {
    t = await bootMailingTestApp({ FRONTEND_URL });
  });
  afterAll(async () => {
    await t.close();
  });

  const newFigures = (scenario: string, rounds: number, concurrency = CONCURRENCY): Figures => ({
    scenario,
    rounds,
    concurrency,
    racedSuccesses: 0,
    racedAnswers: 0,
    statuses: {},
    survivors: 0,
    unrevokedSessions: 0,
    refusedAsSuperseded: 0,
  });

  /** Records the figures (RACE_STATS) and asserts the scenario raced and left nothing alive. */
  function finish(figures: Figures): void {
    if (process.env.RACE_STATS) appendFileSync(process.env.RACE_STATS, `${JSON.stringify(figures)}\n`);
    expect(figures.racedAnswers).toBeGreaterThan(0);
    expect({ survivors: figures.survivors, unrevokedSessions: figures.unrevokedSessions }).toEqual({ survivors: 0, unrevokedSessions: 0 });
  }

  /**
   * Runs `loops` loops of `signIn(loop)` until `change` has answered; `change` starts once every loop has had one
   * answer. Returns every answer, in the order they came.
   */
  async function race(loops: number, signIn: (loop: number) => Promise<Response>, change: () => Promise<unknown>): Promise<Answer[]> {
    const answers: Answer[] = [];
    let changeSent = false;
    let changeAnswered = false;
    let answered = 0;
    let everyLoopAnswered!: () => void;
    const warm = new Promise<void>((resolve) => (everyLoopAnswered = resolve));
    const run = async (loop: number): Promise<void> => {
      for (let first = true; !changeAnswered; first = false) {
        const res = await signIn(loop);
        answers.push({ status: res.status, body: res.body as Record<string, unknown>, raced: changeSent });
        if (first && ++answered === loops) everyLoopAnswered();
      }
    };
    const running = Promise.all(Array.from({ length: loops }, (_, loop) => run(loop)));
    // A loop that fails rejects `running` before every loop answered: the race ends there.
    await Promise.race([warm, running]);
    changeSent = true;
    try {
      await change();
    } finally {
      changeAnswered = true;
      await running;
    }
    return answers;
  }

  const passwordLogin = (user: Pick<LoggedInUser, 'username' | 'password'>) => () =>
    t.http().post('/api/login').send({ username: user.username, password: user.password });

  function count(figures: Figures, answers: Answer[]): Answer[] {
    for (const { status } of answers) figures.statuses[status] = (figures.statuses[status] ?? 0) + 1;
    const raced = answers.filter((answer) => answer.raced);
    figures.racedAnswers += raced.length;
    figures.racedSuccesses += raced.filter((answer) => answer.status === 200).length;
    return answers.filter((answer) => answer.status === 200);
  }

  /** Whether a token pair still opens the account: its access token, or its refresh token. */
  async function works(pair: TokenPair): Promise<boolean> {
    const me = await t.http().get('/api/me').set(bearer(pair.token));
    const refreshed = await t.http().post('/api/token/refresh').send({ refresh_token: pair.refresh_token });
    return me.status === 200 || refreshed.status === 200;
  }

  /** What a round left of the account's sessions, and how many sign-ins it refused as superseded. */
  async function countLeftovers(figures: Figures, userId: number, keptSessionToken?: string): Promise<void> {
    const kept = keptSessionToken ? (JSON.parse(Buffer.from(keptSessionToken.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid : '';
    const [{ unrevoked, refused }] = await t.db.query(
      `SELECT (SELECT count(*)::int FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND id <> $2) AS unrevoked,
              (SELECT count(*)::int FROM activity_logs WHERE user_id = $1 AND event = 'auth:login-failed'
                  AND properties->>'reason' = 'credentials-changed') AS refused`,
      [userId, kept],
    );
    figures.unrevokedSessions += unrevoked as number;
    figures.refusedAsSuperseded += refused as number;
  }

  /** Counts the round's answers, tries every token pair it got, and what it left. */
  async function countRound(figures: Figures, answers: Answer[], userId: number, keptSessionToken?: string): Promise<void> {
    for (const answer of count(figures, answers)) if (await works(answer.body as unknown as TokenPair)) figures.survivors++;
    await countLeftovers(figures, userId, keptSessionToken);
  }

  /** A registered user whose address is verified, signed in. */
  async function verifiedUser(): Promise<LoggedInUser> {
    const user = await loggedInUser(t);
    await markEmailVerified(t, user.id);
    return user;
  }

  function resetLink(user: LoggedInUser): Promise<string> {
    return t.app.get(UserTokensService).issueForUser('password_reset', user, 3600);
  }

  function resetPassword(user: LoggedInUser, token: string, password: string): Promise<Response> {
    return t.http().post('/api/password/reset').send({ token, email: user.email, password, password_confirmation: password }).expect(200);
  }

  /** The token of the last link to `FRONTEND_URL/<path>` mailed to `to` under `subject` (waits for it). */
  async function mailedToken(to: string, subject: string, path: string): Promise<string> {
    await t.app.get(MailService).flush();
    const mail = await t.mail.waitFor((m) => m.to === to && m.subject === subject);
    const link = new RegExp(`${FRONTEND_URL.replace(/\./g, '\\.')}/${path}\\?\\S+`).exec(mail.text)![0];
    return new URL(link).searchParams.get('token')!;
  }

  it('attack: logins with the old password and refreshes racing a password reset: no session outlives the reset', async () => {
    const figures = newFigures('password reset vs logins and refreshes', 20);
    const refreshLoops = 2;
    figures.concurrency = CONCURRENCY + refreshLoops;
    for (let round = 0; round < figures.rounds; round++) {
      const user = await verifiedUser();
      const token = await resetLink(user);
      const latest: TokenPair[] = [user.tokens, (await passwordLogin(user)().expect(200)).body as TokenPair];
      const login = passwordLogin(user);
      const answers = await race(
        figures.concurrency,
        async (loop) => {
          if (loop >= CONCURRENCY) {
            const res = await t.http().post('/api/token/refresh').send({ refresh_token: latest[loop - CONCURRENCY]!.refresh_token });
            if (res.status === 200) latest[loop - CONCURRENCY] = res.body as TokenPair;
            return res;
          }
          return login();
        },
        () => resetPassword(user, token, `new-${uniqueName('pw')}`),
      );
      await countRound(figures, answers, user.id);
    }
    finish(figures);
  }, 180_000);

  it('attack: two-factor challenges opened with the old password while a reset commits cannot be completed', async () => {
    const figures = newFigures('password reset vs two-factor logins', 10);
    for (let round = 0; round < figures.rounds; round++) {
      const user = await verifiedUser();
      const { recoveryCodes } = await enableTotp(t, user);
      const token = await resetLink(user);
      const answers = await race(CONCURRENCY, passwordLogin(user), () => resetPassword(user, token, `new-${uniqueName('pw')}`));
      const challenges = count(figures, answers).map((answer) => answer.body.challenge_token as string);
      let unused = 0;
      for (const challenge of challenges) {
        const res = await t.http().post('/api/login/two-factor').send({ challenge_token: challenge, recovery_code: recoveryCodes[unused % recoveryCodes.length] });
        if (res.status === 200) unused++;
        // Anything but "dead" (200, or a wrong code once the recovery codes ran out) is a live challenge.
        const errors = (res.body as { errors?: Record<string, string[]> }).errors;
        if (!errors?.challenge_token?.includes(CHALLENGE_DEAD)) figures.survivors++;
      }
      await countLeftovers(figures, user.id);
    }
    finish(figures);
  }, 180_000);

  it('attack: logins with the old password racing the owner’s password change: only the owner’s session stays', async () => {
    const figures = newFigures('password change vs logins', 10);
    for (let round = 0; round < figures.rounds; round++) {
      const owner = await verifiedUser();
      const password = `new-${uniqueName('pw')}`;
      const answers = await race(CONCURRENCY, passwordLogin(owner), () =>
        t.http().put('/api/client/account/password').set(owner.auth).send({ current_password: owner.password, password, password_confirmation: password }).expect(204),
      );
      await countRound(figures, answers, owner.id, owner.tokens.token);
      // The owner keeps the session they changed it from, and it still refreshes.
      await t.http().get('/api/me').set(owner.auth).expect(200);
      await t.http().post('/api/token/refresh').send({ refresh_token: owner.tokens.refresh_token }).expect(200);
    }
    finish(figures);
  }, 180_000);

  it('attack: logins with the password of the taken account racing the revert of its email change: none survives', async () => {
    const figures = newFigures('email-change revert vs logins', 6);
    for (let round = 0; round < figures.rounds; round++) {
      const owner = await verifiedUser();
      const taken = `${uniqueName('taken')}@example.com`;
      // The taker's fresh session moves the address and confirms it.
      await t.http().patch('/api/me/details/auth').set(owner.auth).send({ email: taken }).expect(200);
      await t.http().post('/api/email/verify').send({ token: await mailedToken(taken, 'Confirm your new email address', 'verify-email') }).expect(200);
      const cancel = await mailedToken(owner.email, 'Your email address is about to change', 'cancel-email-change');
      const answers = await race(CONCURRENCY, passwordLogin(owner), () => t.http().post('/api/email/cancel-change').send({ token: cancel }).expect(200));
      await countRound(figures, answers, owner.id);
    }
    finish(figures);
  }, 180_000);

  it('attack: password logins and passkey sign-ins racing a ban: none survives it, not even once the account is unbanned', async () => {
    const figures = newFigures('ban vs logins and passkey sign-ins', 6);
    const passkeyLoops = CONCURRENCY / 2;
    const admin = await loggedInAdmin(t);
    const setStatus = (user: LoggedInUser, status: string) => t.http().patch(`/api/users/${user.id}`).set(admin.auth).send({ status }).expect(200);
    for (let round = 0; round < figures.rounds; round++) {
      const user = await verifiedUser();
      // One authenticator (and passkey) per loop: their signature counters do not race each other.
      const authenticators = Array.from({ length: passkeyLoops }, () => new SoftwareAuthenticator(FRONTEND_URL));
      for (const authenticator of authenticators) {
        const options = await t.http().post('/api/me/passkeys/options').set(user.auth).send({}).expect(200);
        await t.http().post('/api/me/passkeys').set(user.auth).send({ name: 'racing', response: authenticator.create(options.body.data) }).expect(201);
      }
      const login = passwordLogin(user);
      const answers = await race(
        CONCURRENCY,
        async (loop) => {
          if (loop >= passkeyLoops) return login();
          const options = await t.http().post('/api/login/passkey/options').send({ username: user.username }).expect(200);
          const response = authenticators[loop]!.get(options.body.options);
          return t.http().post('/api/login/passkey').send({ challenge_token: options.body.challenge_token, response });
        },
        () => setStatus(user, 'Banned'),
      );
      await countLeftovers(figures, user.id);
      await setStatus(user, 'Active');
      for (const answer of count(figures, answers)) if (await works(answer.body as unknown as TokenPair)) figures.survivors++;
    }
    finish(figures);
  }, 180_000);
});
