/**
 * Sign out: `POST /api/logout` ends the session on the server and expires the cookie; the SPA holds nothing else
 * to forget.
 */
import { api } from '../api';
import { go } from '../ui';

export async function signOut(): Promise<void> {
  await api.POST('/api/logout');
  go('/sign-in', 'You are signed out.');
}
