/** Forgot the password: Tessera mails a reset link (it opens the reset-password screen) if the address has an account. */
import { api } from '../api';
import { el, field, form, messageArea, showError, showNotice, values } from '../ui';

export function renderForgotPassword(root: HTMLElement): void {
  const messages = messageArea();
  const remind = form(
    async (element) => {
      const { email } = values(element);
      const { data, error, response } = await api.POST('/api/password/remind', { body: { email } });
      if (!data) return showError(messages, response, error);
      // The same answer whether or not the address has an account.
      showNotice(messages, data.message);
    },
    'Send the reset link',
    field('Email', 'email', { type: 'email', required: true, autocomplete: 'email' }),
  );
  root.append(el('h1', { textContent: 'Forgot your password?' }), messages, remind);
}
