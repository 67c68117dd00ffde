import { jest } from '@jest/globals';
import type { AuthContext } from '../../core/users/auth-context.js';
import { User } from '../../core/users/user.entity.js';
import type { UserProfileService } from '../../core/users/user-profile.service.js';
import type { UserProfile } from '../../core/users/user-profile.js';
import { ProfileService } from './profile.service.js';

describe('ProfileService.view', () => {
  const user = Object.assign(new User(), { id: 9 });
  const auth = { user, client: { ip: '127.0.0.1', userAgent: 'jest' }, session: null, apiKey: null } satisfies AuthContext;
  const profile = { user, avatar: { main: 'm', high: 'h', thumbnail: 't' }, twoFactor: null } satisfies UserProfile;

  function serviceWith(profiles: Pick<UserProfileService, 'of' | 'load'>): ProfileService {
    const unused = {} as never;
    return new ProfileService(unused, unused, profiles as UserProfileService, unused, unused, unused, unused, unused, unused, unused, unused, unused, unused, unused);
  }

  it("serves the guard's user without another query", async () => {
    const profiles = { of: jest.fn(() => profile), load: jest.fn(async () => profile) };
    expect(await serviceWith(profiles).view(auth, { country: false })).toBe(profile);
    expect(profiles.of).toHaveBeenCalledWith(user);
    expect(profiles.load).not.toHaveBeenCalled();
  });

  it('loads the user with its country when asked for', async () => {
    const profiles = { of: jest.fn(() => profile), load: jest.fn(async () => profile) };
    await serviceWith(profiles).view(auth, { country: true });
    expect(profiles.load).toHaveBeenCalledWith(9, { country: true });
    expect(profiles.of).not.toHaveBeenCalled();
  });
});
