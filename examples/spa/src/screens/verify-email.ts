/**
 * Verify the address: the mail's link is `FRONTEND_URL/verify-email?token=…`. The token leaves the address bar, then
 * it is spent with `POST /api/email/verify`. No session is needed: the link works in any browser.
 */
import { api } from '../api';
import { el, link, messageArea, showError, showNotice, takeLinkParameters } from '../ui';

export async function renderVerifyEmail(root: HTMLElement): Promise<void> {
  const token = takeLinkParameters().get('token');
  const messages = messageArea();
  root.append(el('h1', { textContent: 'Verify your address' }), messages);
  if (!token) {
    showNotice(messages, 'Open the link from the mail Tessera sent you.');
    return;
  }
  const { data, error, response } = await api.POST('/api/email/verify', { body: { token } });
  if (!data) return showError(messages, response, error);
  showNotice(messages, 'Your address is verified.');
  root.append(el('p', {}, link('/profile', 'Go to your profile')));
}
