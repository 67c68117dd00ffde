import { bootTestApp, type TestApp } from '../../support/app.js';

describe('foundation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists every ISO 3166-1 country, Serbia as 688', async () => {
    const res = await t.http().get('/api/countries').expect(200);
    expect(res.body.data.length).toBe(249);
    const serbia = res.body.data.find((c: { id: number }) => c.id === 688);
    expect(serbia).toMatchObject({ name: 'Serbia', iso_3166_2: 'RS', iso_3166_3: 'SRB', calling_code: '381', eea: false });
  });

  it('answers an unknown route with 404 in each family shape', async () => {
    await t.http().get('/api/nope').expect(404, { message: 'Not Found.' });
    const client = await t.http().get('/api/client/nope').expect(404);
    expect(client.body).toEqual({
      errors: [{ code: 'NotFoundHttpException', status: '404', detail: 'The requested resource could not be found on the server.' }],
    });
  });

  it('answers malformed JSON with 400 in each family shape', async () => {
    const res = await t.http().post('/api/register').set('Content-Type', 'application/json').send('{"a":').expect(400);
    expect(res.body).toEqual({ message: 'The request body is not valid JSON.' });
    const client = await t.http().post('/api/client/account/api-keys').set('Content-Type', 'application/json').send('{"a":').expect(400);
    expect(client.body.errors[0]).toMatchObject({ code: 'BadRequestHttpException', status: '400' });
  });

  it('answers an over-size body with 413', async () => {
    const big = JSON.stringify({ username: 'x'.repeat(1_100_000) });
    const res = await t.http().post('/api/login').set('Content-Type', 'application/json').send(big).expect(413);
    expect(res.body).toEqual({ message: 'The request body is too large.' });
  });
});
