/** Sign up: creates the account; Tessera mails a link to verify the address (it opens the verify-email screen). */
import { api } from '../api';
import { el, field, form, messageArea, showError, showNotice, values } from '../ui';

export function renderSignUp(root: HTMLElement): void {
  const messages = messageArea();
  const signUp = form(
    async (element) => {
      const { email, username, password, password_confirmation, first_name, last_name } = values(element);
      const { data, error, response } = await api.POST('/api/register', {
        body: { email, username, password, password_confirmation, first_name, last_name },
      });
      if (!data) return showError(messages, response, error);
      element.reset();
      // The same answer whether or not the address already had an account: the mail tells its owner which.
      showNotice(messages, data.requires_email_confirmation ? 'Check your mail: the link in it verifies your address. Then sign in.' : 'Your account is ready: sign in.');
    },
    'Sign up',
    field('Email', 'email', { type: 'email', required: true, autocomplete: 'email' }),
    field('Username', 'username', { required: true, autocomplete: 'username' }),
    field('Password', 'password', { type: 'password', required: true, autocomplete: 'new-password' }),
    field('Password again', 'password_confirmation', { type: 'password', required: true, autocomplete: 'new-password' }),
    field('First name (optional)', 'first_name', { autocomplete: 'given-name' }),
    field('Last name (optional)', 'last_name', { autocomplete: 'family-name' }),
  );
  root.append(el('h1', { textContent: 'Sign up' }), messages, signUp);
}
