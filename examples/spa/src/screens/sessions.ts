/** Sessions: every active sign-in of the account (cookie and token ones alike), each of which can be ended. */
import { api } from '../api';
import { el, messageArea, showError, showNotice } from '../ui';

export async function renderSessions(root: HTMLElement): Promise<void> {
  const messages = messageArea();
  const table = el('table');
  root.append(el('h1', { textContent: 'Sessions' }), messages, table);

  const load = async () => {
    const { data, error, response } = await api.GET('/api/me/sessions');
    if (!data) return showError(messages, response, error);
    const rows = data.data.map((session) => {
      const revoke = el('button', { type: 'button', textContent: 'Revoke' });
      revoke.addEventListener('click', async () => {
        const result = await api.DELETE('/api/sessions/{id}', { params: { path: { id: session.id } } });
        if (!result.data) return showError(messages, result.response, result.error);
        showNotice(messages, `The session on ${session.browser} (${session.platform}) is ended.`);
        await load();
      });
      return el(
        'tr',
        {},
        el('td', { textContent: `${session.browser} on ${session.platform}` }),
        el('td', { textContent: session.ip_address }),
        el('td', { textContent: session.last_activity }),
        el('td', {}, revoke),
      );
    });
    table.replaceChildren(
      el('tr', {}, el('th', { textContent: 'Browser' }), el('th', { textContent: 'IP address' }), el('th', { textContent: 'Last active (UTC)' }), el('th')),
      ...rows,
    );
  };
  await load();
}
