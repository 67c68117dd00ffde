/**
 * Sign in with a password (then, when two-factor is on, with the authenticator's code or a recovery code), or with a
 * passkey. Every sign-in asks for `session: "cookie"`: the answer carries no token, only the HttpOnly session cookie
 * the browser keeps. The two-factor challenge token lives in this screen's memory for the few minutes it is valid.
 * The answer's `device_token` is not kept: keeping it would need storage that scripts can read.
 */
import { startAuthentication, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { api } from '../api';
import { el, field, form, go, link, messageArea, showError, values } from '../ui';

export function renderSignIn(root: HTMLElement): void {
  const messages = messageArea();
  const signIn = form(
    async (element) => {
      const { username, password } = values(element);
      const { data, error, response } = await api.POST('/api/login', { body: { username, password, session: 'cookie' } });
      if (!data) return showError(messages, response, error);
      if ('two_factor_required' in data) {
        root.replaceChildren(el('h1', { textContent: 'Two-factor' }), messages, secondFactorForm(messages, data.challenge_token));
        messages.replaceChildren();
        return;
      }
      go('/profile', 'You are signed in.');
    },
    'Sign in',
    field('Username or email', 'username', { required: true, autocomplete: 'username' }),
    field('Password', 'password', { type: 'password', required: true, autocomplete: 'current-password' }),
  );

  const passkeyButton = el('button', { type: 'button', textContent: 'Sign in with a passkey' });
  passkeyButton.addEventListener('click', () => void signInWithPasskey(messages));

  root.append(el('h1', { textContent: 'Sign in' }), messages, signIn, passkeyButton, el('p', {}, link('/forgot-password', 'Forgot your password?')));
}

/** The code step: the challenge remembers that this sign-in asked for a cookie. */
function secondFactorForm(messages: HTMLElement, challengeToken: string): HTMLFormElement {
  return form(
    async (element) => {
      const { code, recovery_code } = values(element);
      const { data, error, response } = await api.POST('/api/login/two-factor', {
        body: recovery_code ? { challenge_token: challengeToken, recovery_code } : { challenge_token: challengeToken, code },
      });
      if (!data) return showError(messages, response, error);
      go('/profile', 'You are signed in.');
    },
    'Continue',
    field('Code from your authenticator app', 'code', { inputMode: 'numeric', autocomplete: 'one-time-code' }),
    field('Or a recovery code', 'recovery_code', { autocomplete: 'off' }),
  );
}

/** A discoverable passkey: no username; the browser offers the passkeys it holds for this site. */
async function signInWithPasskey(messages: HTMLElement): Promise<void> {
  const options = await api.POST('/api/login/passkey/options', { body: {} });
  if (!options.data) return showError(messages, options.response, options.error);
  let assertion;
  try {
    // The API document types WebAuthn's enums as plain strings and its extension results as an open object: the
    // values are the standard ones, so the types are only restated here.
    assertion = await startAuthentication({ optionsJSON: options.data.options as PublicKeyCredentialRequestOptionsJSON });
  } catch {
    messages.replaceChildren(el('p', { className: 'error', role: 'alert', textContent: 'The passkey sign-in was cancelled.' }));
    return;
  }
  const { data, error, response } = await api.POST('/api/login/passkey', {
    body: {
      challenge_token: options.data.challenge_token,
      response: { ...assertion, clientExtensionResults: { ...assertion.clientExtensionResults } },
      session: 'cookie',
    },
  });
  if (!data) return showError(messages, response, error);
  go('/profile', 'You are signed in.');
}
