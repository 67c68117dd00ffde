/**
 * Cancel an email change: the notice sent to the previous address links to `FRONTEND_URL/cancel-email-change?token=…`.
 * The token leaves the address bar; the owner confirms with a button (a link alone changes nothing).
 * Cancelling also ends every session, in case the change was not theirs.
 */
import { api } from '../api';
import { el, messageArea, showError, showNotice, takeLinkParameters } from '../ui';

export function renderCancelEmailChange(root: HTMLElement): void {
  const token = takeLinkParameters().get('token');
  const messages = messageArea();
  root.append(el('h1', { textContent: 'Cancel the email change' }), messages);
  if (!token) {
    showNotice(messages, 'Open the link from the mail Tessera sent you.');
    return;
  }
  const button = el('button', { type: 'button', textContent: 'Cancel the change and sign out everywhere' });
  button.addEventListener('click', async () => {
    const { data, error, response } = await api.POST('/api/email/cancel-change', { body: { token } });
    if (!data) return showError(messages, response, error);
    button.remove();
    showNotice(messages, 'The change is cancelled and every session is ended. Sign in again; change your password if the change was not yours.');
  });
  root.append(button);
}
