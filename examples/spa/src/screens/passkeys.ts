/**
 * Passkeys: add one (the browser creates it on this device or a security key) and remove them. Adding one is a
 * credential change: it needs a sign-in of the last 15 minutes or the current password, and a verified address.
 */
import { startRegistration, type PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/browser';
import { api } from '../api';
import { el, field, form, messageArea, showError, showNotice, values } from '../ui';

export async function renderPasskeys(root: HTMLElement): Promise<void> {
  const messages = messageArea();
  const list = el('ul', { className: 'passkeys' });

  const load = async () => {
    const { data, error, response } = await api.GET('/api/me/passkeys');
    if (!data) return showError(messages, response, error);
    list.replaceChildren(
      ...data.data.map((passkey) => {
        const remove = el('button', { type: 'button', textContent: 'Remove' });
        remove.addEventListener('click', async () => {
          const result = await api.DELETE('/api/me/passkeys/{passkeyId}', { params: { path: { passkeyId: passkey.id } }, body: {} });
          if (!result.data) return showError(messages, result.response, result.error);
          showNotice(messages, `The passkey ${passkey.name} is removed.`);
          await load();
        });
        return el('li', {}, `${passkey.name} (added ${passkey.created_at}) `, remove);
      }),
    );
  };

  const add = form(
    async (element) => {
      const { name, current_password } = values(element);
      const options = await api.POST('/api/me/passkeys/options', { body: { current_password } });
      if (!options.data) return showError(messages, options.response, options.error);
      let registration;
      try {
        // The API document types WebAuthn's enums as plain strings and its extension results as an open object: the
        // values are the standard ones, so the types are only restated here.
        registration = await startRegistration({ optionsJSON: options.data.data as PublicKeyCredentialCreationOptionsJSON });
      } catch {
        messages.replaceChildren(el('p', { className: 'error', role: 'alert', textContent: 'The browser did not create a passkey.' }));
        return;
      }
      const { data, error, response } = await api.POST('/api/me/passkeys', { body: { name, response: { ...registration, clientExtensionResults: { ...registration.clientExtensionResults } } } });
      if (!data) return showError(messages, response, error);
      element.reset();
      showNotice(messages, `The passkey ${data.data.name} is added.`);
      await load();
    },
    'Add a passkey',
    field('Name', 'name', { required: true, value: 'This browser' }),
    field('Current password (when you signed in more than 15 minutes ago)', 'current_password', { type: 'password', autocomplete: 'current-password' }),
  );

  root.append(el('h1', { textContent: 'Passkeys' }), messages, add, list);
  await load();
}
