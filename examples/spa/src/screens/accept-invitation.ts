/**
 * Accept an invitation: the mail's link is `FRONTEND_URL/accept-invitation?token=…`. The token leaves the address
 * bar, the invitation is previewed (no session needed), and a signed-in user with the invited address accepts it.
 * The token is kept only in this screen's closure, never in storage.
 */
import { api } from '../api';
import { el, go, messageArea, showError, showNotice, takeLinkParameters } from '../ui';

export async function renderAcceptInvitation(root: HTMLElement): Promise<void> {
  const token = takeLinkParameters().get('token');
  const messages = messageArea();
  root.append(el('h1', { textContent: 'Join an organization' }), messages);
  if (!token) {
    showNotice(messages, 'Open the link from the invitation Tessera sent you.');
    return;
  }
  const preview = await api.POST('/api/organization-invitations/preview', { body: { token } });
  if (!preview.data) return showError(messages, preview.response, preview.error);
  const { organization, role, expires_at } = preview.data.data;
  const accept = el('button', { type: 'button', textContent: 'Accept the invitation' });
  accept.addEventListener('click', async () => {
    const { data, error, response } = await api.POST('/api/organization-invitations/accept', { body: { token } });
    // Not signed in: this screen stays (the token is not carried elsewhere); sign in in another tab, then accept.
    if (response.status === 401) return showNotice(messages, 'Sign in with the invited address (in another tab), then accept here.');
    if (!data) return showError(messages, response, error);
    go('/organizations', `You joined ${data.data.name}.`);
  });
  root.append(el('p', { className: 'invitation', textContent: `${organization.name} invites you as ${role}, until ${expires_at}.` }), accept);
}
