import { Role } from '../../core/users/role.entity.js';
import { User, UserStatus } from '../../core/users/user.entity.js';
import type { UserProfile } from '../../core/users/user-profile.js';
import { presentOpenBadgeProfileResponse, presentOpenBadgeUser } from './user.presenter.js';

function profileOf(overrides: Partial<User> = {}): UserProfile {
  const role = Object.assign(new Role(), { id: 2, slug: 'user', name: 'User', description: null, scopes: ['user', 'badges'] });
  const user = Object.assign(new User(), {
    id: 7,
    uuid: '56e5824b-eb63-4250-80f3-370ff4142fe7',
    username: 'j.doe',
    email: 'j.doe@example.com',
    emailVerifiedAt: new Date(Date.UTC(2024, 6, 18, 14, 18, 21)),
    firstName: 'John Yu',
    lastName: 'Donovan',
    language: 'it',
    publicProfile: true,
    publicBadges: false,
    termsAcceptedAt: null,
    status: UserStatus.Active,
    createdAt: new Date(Date.UTC(2024, 6, 3, 15, 2, 45)),
    updatedAt: new Date(Date.UTC(2024, 6, 21, 13, 4, 55)),
    role,
    ...overrides,
  });
  const picture = 'https://cdn.example/p';
  return { user, avatar: { main: `${picture}.jpg`, high: `${picture}_high.jpg`, thumbnail: `${picture}_thumbnail.jpg` }, twoFactor: null };
}

describe('open-badge presenters', () => {
  it('shapes the user as seed 001 does', () => {
    expect(presentOpenBadgeUser(profileOf())).toEqual({
      uuid: '56e5824b-eb63-4250-80f3-370ff4142fe7',
      username: 'j.doe',
      email: 'j.doe@example.com',
      email_verified_at: '2024-07-18 14:18:21',
      created_at: '2024-07-03T15:02:45.000000Z',
      updated_at: '2024-07-21T13:04:55.000000Z',
      role: { slug: 'user', name: 'User', description: '', scopes: '["user","badges"]' },
      profile: {
        name: 'John Yu',
        last_name: 'Donovan',
        profile_picture_path: 'https://cdn.example/p.jpg',
        profile_picture_high_path: 'https://cdn.example/p_high.jpg',
        profile_picture_thumbnail_path: 'https://cdn.example/p_thumbnail.jpg',
        settings: { public_profile: '1', public_badges: '0' },
        language: 'it',
        created_at: '2024-07-03T15:02:45.000000Z',
        updated_at: '2024-07-21T13:04:55.000000Z',
        t_c_accepted_at: null,
      },
      organization: null,
    });
  });

  it('shows an unverified address as null and wraps the profile in data', () => {
    const profile = profileOf({ emailVerifiedAt: null, termsAcceptedAt: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), publicBadges: true });
    expect(presentOpenBadgeUser(profile).email_verified_at).toBeNull();
    const { data } = presentOpenBadgeProfileResponse(profile);
    expect(data.t_c_accepted_at).toBe('2024-01-02T03:04:05.000000Z');
    expect(data.settings).toEqual({ public_profile: '1', public_badges: '1' });
  });
});
