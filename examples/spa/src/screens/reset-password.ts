/**
 * Reset the password: the mail's link is `FRONTEND_URL/reset-password?token=…&email=…`. The token leaves the address
 * bar and waits in this screen's memory for the new password. A reset ends every session, API key and
 * passkey of the account; two-factor stays on.
 */
import { api } from '../api';
import { el, field, form, go, messageArea, showError, showNotice, takeLinkParameters, values } from '../ui';

export function renderResetPassword(root: HTMLElement): void {
  const link = takeLinkParameters();
  const token = link.get('token');
  const email = link.get('email');
  const messages = messageArea();
  root.append(el('h1', { textContent: 'Choose a new password' }), messages);
  if (!token || !email) {
    showNotice(messages, 'Open the link from the mail Tessera sent you.');
    return;
  }
  const reset = form(
    async (element) => {
      const { password, password_confirmation } = values(element);
      const { data, error, response } = await api.POST('/api/password/reset', { body: { token, email, password, password_confirmation } });
      if (!data) return showError(messages, response, error);
      go('/sign-in', 'Your password is changed: sign in with it.');
    },
    'Change the password',
    field('New password', 'password', { type: 'password', required: true, autocomplete: 'new-password' }),
    field('New password again', 'password_confirmation', { type: 'password', required: true, autocomplete: 'new-password' }),
  );
  root.append(reset);
}
