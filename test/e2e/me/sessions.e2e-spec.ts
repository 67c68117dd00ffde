import { jest } from '@jest/globals';
import { bootTestApp, type TestApp } from '../../support/app.js';
import { bearer, loggedInUser, login } from '../../support/factories.js';
import { SessionsService } from '../../../src/core/credentials/sessions/sessions.service.js';

const MAC_CHROME =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/60.0.3112.90 Safari/537.36';

describe('sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists active sessions with parsed browser, platform and device, and none of another user', async () => {
    const user = await loggedInUser(t);
    const stranger = await loggedInUser(t);
    const chrome = await login(t, user, MAC_CHROME);
    const res = await t.http().get('/api/me/sessions').set(bearer(chrome.token)).expect(200);
    expect(res.body.data).toHaveLength(2);
    const session = res.body.data.find((s: { user_agent: string }) => s.user_agent === MAC_CHROME);
    expect(Object.keys(session).sort()).toEqual(
      ['browser', 'device', 'id', 'ip_address', 'last_activity', 'platform', 'user_agent', 'user_id'].sort(),
    );
    expect(session).toMatchObject({ user_id: user.id, browser: 'Chrome', platform: 'OS X', device: 'Macintosh' });
    expect(session.id).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(session.last_activity).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(session.ip_address).toMatch(/127\.0\.0\.1|::1/);
    const ids = res.body.data.map((s: { user_id: number }) => s.user_id);
    expect(ids).not.toContain(stranger.id);
  });

  it('shows one session, and answers 404 for another user\'s session (get and delete)', async () => {
    const user = await loggedInUser(t);
    const stranger = await loggedInUser(t);
    const [own] = (await t.http().get('/api/me/sessions').set(user.auth).expect(200)).body.data;
    const res = await t.http().get(`/api/sessions/${own.id}`).set(user.auth).expect(200);
    expect(res.body.data.id).toBe(own.id);
    await t.http().get(`/api/sessions/${own.id}`).set(stranger.auth).expect(404, { message: 'Not Found.' });
    await t.http().delete(`/api/sessions/${own.id}`).set(stranger.auth).expect(404);
    await t.http().get('/api/me/sessions').set(user.auth).expect(200);
  });

  it('revokes all sessions but the current one', async () => {
    const user = await loggedInUser(t);
    const second = await login(t, user, 'second');
    const third = await login(t, user, 'third');
    await t.http().delete('/api/me/sessions').set(user.auth).expect(200, { success: true });
    await t.http().get('/api/me/sessions').set(bearer(second.token)).expect(401);
    await t.http().get('/api/me/sessions').set(bearer(third.token)).expect(401);
    const res = await t.http().get('/api/me/sessions').set(user.auth).expect(200);
    expect(res.body.data).toHaveLength(1);
    const events = await t.db.query(`SELECT event FROM activity_logs WHERE user_id = $1 AND event = 'user:session.revoked'`, [user.id]);
    expect(events).toHaveLength(1);
  });

  it('writes the last_activity of several sessions in one statement', async () => {
    const users = [await loggedInUser(t), await loggedInUser(t)];
    const ids = await Promise.all(users.map(async (user) => (await t.http().get('/api/me/sessions').set(user.auth)).body.data[0].id as string));
    // Two minutes back: due a write, far from idle (SESSION_IDLE_TTL).
    await t.db.query(`UPDATE sessions SET last_activity = now() - interval '2 minutes' WHERE id = ANY($1)`, [ids]);
    const writes = jest.spyOn(t.db.logger, 'logQuery');
    // Both at once, so that both land in the batch the first one opens.
    await Promise.all(users.map((user) => t.http().get('/api/me').set(user.auth).expect(200)));
    await t.app.get(SessionsService).flushActivity();
    const statements = writes.mock.calls.map(([sql]) => sql).filter((sql) => sql.startsWith('UPDATE "sessions" SET "last_activity"'));
    writes.mockRestore();
    expect(statements).toHaveLength(1);
    const rows = await t.db.query(`SELECT id FROM sessions WHERE id = ANY($1) AND last_activity > now() - interval '1 minute'`, [ids]);
    expect(rows).toHaveLength(2);
  });

  it('writes last_activity at most once a minute', async () => {
    const user = await loggedInUser(t);
    const [session] = (await t.http().get('/api/me/sessions').set(user.auth)).body.data;
    await t.db.query(`UPDATE sessions SET last_activity = now() - interval '2 minutes' WHERE id = $1`, [session.id]);
    await t.http().get('/api/me/sessions').set(user.auth).expect(200);
    // Writes are batched for a second; write the batch now instead of waiting for its timer.
    await t.app.get(SessionsService).flushActivity();
    const [row] = await t.db.query(`SELECT last_activity > now() - interval '1 minute' AS fresh FROM sessions WHERE id = $1`, [session.id]);
    expect(row.fresh).toBe(true);
    const [before] = await t.db.query(`SELECT last_activity FROM sessions WHERE id = $1`, [session.id]);
    await t.http().get('/api/me/sessions').set(user.auth).expect(200);
    await t.app.get(SessionsService).flushActivity();
    const [after] = await t.db.query(`SELECT last_activity FROM sessions WHERE id = $1`, [session.id]);
    expect(after.last_activity).toEqual(before.last_activity);
  });
});
