import { presentPage, type Page } from './pagination.presenter.js';

const location = { path: 'http://api.test/api/users', query: { 'filter[search]': 'jo hn', page: 2, per_page: 2, sort: undefined } };
const page = (values: Partial<Page<number>>): Page<number> => ({ items: [], total: 0, page: 1, perPage: 2, ...values });

describe('presentPage', () => {
  it('answers Laravel’s paginator shape with absolute links that keep the query and replace the page', () => {
    const body = presentPage(page({ items: [3, 4], total: 5, page: 2 }), (n) => n * 10, location);
    const base = 'http://api.test/api/users?filter%5Bsearch%5D=jo+hn&per_page=2&page=';
    expect(body).toEqual({
      data: [30, 40],
      links: { first: `${base}1`, last: `${base}3`, prev: `${base}1`, next: `${base}3` },
      meta: { current_page: 2, from: 3, last_page: 3, path: 'http://api.test/api/users', per_page: 2, to: 4, total: 5 },
    });
  });

  it('has one page, no prev/next and null from/to when nothing matches', () => {
    const body = presentPage(page({}), String, { path: 'http://api.test/api/roles', query: {} });
    expect(body.links).toEqual({ first: 'http://api.test/api/roles?page=1', last: 'http://api.test/api/roles?page=1', prev: null, next: null });
    expect(body.meta).toMatchObject({ current_page: 1, from: null, to: null, last_page: 1, total: 0 });
  });

  it('points prev at the page before a page past the end', () => {
    const body = presentPage(page({ total: 3, page: 5 }), String, location);
    expect(body.links.prev).toMatch(/page=4$/);
    expect(body.links.next).toBeNull();
    expect(body.meta).toMatchObject({ from: null, to: null, last_page: 2 });
  });
});
