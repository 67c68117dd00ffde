/**
 * API keys: for scripts and servers, which send them as `Authorization: Bearer …`. A new key's secret is shown once,
 * here, and never stored by the SPA. Creating one is a credential change: it needs a sign-in of the last 15 minutes
 * or the current password.
 */
import { api } from '../api';
import { el, field, form, messageArea, showError, showNotice, values } from '../ui';

export async function renderApiKeys(root: HTMLElement): Promise<void> {
  const messages = messageArea();
  const secret = el('div');
  const table = el('table');

  const load = async () => {
    const { data, error, response } = await api.GET('/api/client/account/api-keys');
    if (!data) return showError(messages, response, error);
    const rows = data.data.map(({ attributes: key }) => {
      const remove = el('button', { type: 'button', textContent: 'Delete' });
      remove.addEventListener('click', async () => {
        const result = await api.DELETE('/api/client/account/api-keys/{identifier}', { params: { path: { identifier: key.identifier } } });
        if (!result.response.ok) return showError(messages, result.response, result.error);
        showNotice(messages, `The key ${key.identifier} is deleted.`);
        await load();
      });
      return el(
        'tr',
        {},
        el('td', { className: 'identifier', textContent: key.identifier }),
        el('td', { textContent: key.description }),
        el('td', { textContent: key.scopes.join(', ') }),
        el('td', { textContent: key.last_used_at ?? 'never used' }),
        el('td', {}, remove),
      );
    });
    table.replaceChildren(
      el('tr', {}, el('th', { textContent: 'Identifier' }), el('th', { textContent: 'Description' }), el('th', { textContent: 'Scopes' }), el('th', { textContent: 'Last used' }), el('th')),
      ...rows,
    );
  };

  const create = form(
    async (element) => {
      const { description, current_password } = values(element);
      const { data, error, response } = await api.POST('/api/client/account/api-keys', { body: { description, current_password } });
      if (!data) return showError(messages, response, error);
      element.reset();
      showNotice(messages, `The key ${data.attributes.identifier} is created.`);
      secret.replaceChildren(
        el('p', { textContent: 'Copy the key now: it is shown only this once.' }),
        el('p', { className: 'secret', textContent: data.meta.secret_token }),
      );
      await load();
    },
    'Create key',
    field('Description', 'description', { required: true, maxLength: 500 }),
    field('Current password (when you signed in more than 15 minutes ago)', 'current_password', { type: 'password', autocomplete: 'current-password' }),
  );

  root.append(el('h1', { textContent: 'API keys' }), messages, create, secret, table);
  await load();
}
