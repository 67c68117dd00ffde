/**
 * Two-factor with an authenticator app (TOTP): scan the code or type the secret, confirm with the app's current code
 * and the password, keep the recovery codes. When it is on, it can be turned off with the password.
 */
import { api } from '../api';
import { el, field, form, messageArea, showError, showNotice, values } from '../ui';

export async function renderTwoFactor(root: HTMLElement): Promise<void> {
  const messages = messageArea();
  root.append(el('h1', { textContent: 'Two-factor' }), messages);
  const me = await api.GET('/api/me');
  if (!me.data) return showError(messages, me.response, me.error);
  const section = el('section');
  root.append(section);
  if (me.data.data.two_factor_options?.enabled) showEnabled(section, messages);
  else await showSetUp(section, messages);
}

async function showSetUp(section: HTMLElement, messages: HTMLElement): Promise<void> {
  // Each call makes a new pending secret; it becomes the account's only when confirmed below.
  const setup = await api.GET('/api/client/account/two-factor');
  if (!setup.data) return showError(messages, setup.response, setup.error);
  const { qr_code, secret } = setup.data.data;

  const confirm = form(
    async (element) => {
      const { code, password } = values(element);
      const { data, error, response } = await api.POST('/api/client/account/two-factor', { body: { code, password } });
      if (!data) return showError(messages, response, error);
      showNotice(messages, 'Two-factor is on.');
      section.replaceChildren(
        el('p', { textContent: 'Keep these recovery codes somewhere safe: each one signs you in once without the app. They are shown only now.' }),
        el('ul', { className: 'recovery-codes' }, ...data.attributes.tokens.map((token) => el('li', { className: 'secret', textContent: token }))),
      );
    },
    'Turn on',
    field('Code from the app', 'code', { required: true, inputMode: 'numeric', autocomplete: 'one-time-code' }),
    field('Password', 'password', { type: 'password', required: true, autocomplete: 'current-password' }),
  );

  section.replaceChildren(
    el('p', { textContent: 'Scan this code with your authenticator app, or type the secret.' }),
    el('img', { src: qr_code, alt: 'QR code of the authenticator secret', width: 180, height: 180 }),
    el('p', { className: 'secret totp-secret', textContent: secret }),
    confirm,
  );
}

function showEnabled(section: HTMLElement, messages: HTMLElement): void {
  const disable = form(
    async (element) => {
      const { password } = values(element);
      const { error, response } = await api.POST('/api/client/account/two-factor/disable', { body: { password } });
      if (!response.ok) return showError(messages, response, error);
      showNotice(messages, 'Two-factor is off.');
      section.replaceChildren();
    },
    'Turn off',
    field('Password', 'password', { type: 'password', required: true, autocomplete: 'current-password' }),
  );
  section.replaceChildren(el('p', { textContent: 'Two-factor is on: signing in asks for a code from your authenticator app.' }), disable);
}
