import { ActivityLog } from '../../core/activity/activity-log.entity.js';
import { Role } from '../../core/users/role.entity.js';
import { User } from '../../core/users/user.entity.js';
import { presentActivityLogList, presentClientAccount } from './account.presenter.js';

const avatar = { main: 'm', high: 'h', thumbnail: 't' };

function userWith(slug: string, names: Partial<User> = {}): User {
  const role = Object.assign(new Role(), { slug });
  return Object.assign(new User(), { id: 1, username: 'user123', email: 'u@example.com', firstName: 'John', lastName: 'Doe', language: 'en', role, ...names });
}

describe('client presenters', () => {
  it('shapes the account as seed 004 does', () => {
    expect(presentClientAccount({ user: userWith('user'), avatar, twoFactor: null })).toEqual({
      object: 'user',
      attributes: { id: 1, admin: false, username: 'user123', email: 'u@example.com', first_name: 'John', last_name: 'Doe', language: 'en' },
    });
  });

  it('marks admins and gives "" for unset names', () => {
    const { attributes } = presentClientAccount({ user: userWith('admin', { firstName: null, lastName: null }), avatar, twoFactor: null });
    expect(attributes).toMatchObject({ admin: true, first_name: '', last_name: '' });
  });

  it('lists activity entries with pagination, at least one page', () => {
    const entry = Object.assign(new ActivityLog(), {
      id: '42',
      event: 'user:account.password-changed',
      isApi: true,
      ip: '203.0.113.7',
      description: 'Password changed.',
      properties: { revoked_sessions: 2 },
      createdAt: new Date(Date.UTC(2024, 9, 24, 12, 4, 30)),
    });
    expect(presentActivityLogList({ items: [entry], total: 51, page: 3, perPage: 25 })).toEqual({
      object: 'list',
      data: [
        {
          object: 'activity_log',
          attributes: {
            id: '42',
            event: 'user:account.password-changed',
            is_api: true,
            ip: '203.0.113.7',
            description: 'Password changed.',
            properties: { revoked_sessions: 2 },
            timestamp: '2024-10-24T12:04:30+00:00',
          },
        },
      ],
      meta: { pagination: { total: 51, count: 1, per_page: 25, current_page: 3, total_pages: 3 } },
    });
    expect(presentActivityLogList({ items: [], total: 0, page: 1, perPage: 25 }).meta.pagination.total_pages).toBe(1);
  });
});
