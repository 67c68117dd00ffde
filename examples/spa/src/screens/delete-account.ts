/**
 * Delete the account: everything personal goes, and every session with it. A credential change: it needs a sign-in of
 * the last 15 minutes or the current password.
 */
import { api } from '../api';
import { el, field, form, go, messageArea, showError, values } from '../ui';

export function renderDeleteAccount(root: HTMLElement): void {
  const messages = messageArea();
  const confirm = form(
    async (element) => {
      const { current_password } = values(element);
      const { data, error, response } = await api.DELETE('/api/me', { body: { current_password } });
      if (!data) return showError(messages, response, error);
      go('/sign-up', 'Your account is deleted.');
    },
    'Delete my account',
    field('Current password (when you signed in more than 15 minutes ago)', 'current_password', { type: 'password', autocomplete: 'current-password' }),
    el('label', {}, el('input', { type: 'checkbox', name: 'confirm', required: true }), ' I understand that this cannot be undone'),
  );
  root.append(el('h1', { textContent: 'Delete your account' }), messages, confirm);
}
