/**
 * Export: everything Tessera holds about the account, as a JSON document to save. Reading it needs a sign-in of the
 * last 15 minutes. The file is handed to the browser as a local blob, so no address ever carries it.
 */
import { api } from '../api';
import { el, messageArea, showError } from '../ui';

export function renderExport(root: HTMLElement): void {
  const messages = messageArea();
  const result = el('section');
  const button = el('button', { type: 'button', textContent: 'Prepare my data' });
  button.addEventListener('click', async () => {
    const { data, error, response } = await api.GET('/api/me/export', { parseAs: 'blob' });
    if (!data) return showError(messages, response, error);
    const text = await data.text();
    const download = el('a', { href: URL.createObjectURL(data), download: 'tessera-export.json', textContent: 'Save tessera-export.json' });
    result.replaceChildren(el('p', {}, download), el('pre', { className: 'export', textContent: text }));
  });
  root.append(el('h1', { textContent: 'Export your data' }), messages, button, result);
}
