/** The SPA's shell: the navigation and a table from address to screen (the History API; no router library). */
import { renderAcceptInvitation } from './screens/accept-invitation';
import { renderApiKeys } from './screens/api-keys';
import { renderCancelEmailChange } from './screens/cancel-email-change';
import { renderDeleteAccount } from './screens/delete-account';
import { renderExport } from './screens/export';
import { renderForgotPassword } from './screens/forgot-password';
import { renderOrganizations } from './screens/organizations';
import { renderPasskeys } from './screens/passkeys';
import { renderProfile } from './screens/profile';
import { renderResetPassword } from './screens/reset-password';
import { renderSessions } from './screens/sessions';
import { renderSignIn } from './screens/sign-in';
import { signOut } from './screens/sign-out';
import { renderSignUp } from './screens/sign-up';
import { renderTwoFactor } from './screens/two-factor';
import { renderVerifyEmail } from './screens/verify-email';
import { el, go, link } from './ui';

type Screen = (root: HTMLElement) => void | Promise<void>;

const screens: Record<string, Screen> = {
  '/sign-up': renderSignUp,
  '/verify-email': renderVerifyEmail,
  '/sign-in': renderSignIn,
  '/forgot-password': renderForgotPassword,
  '/reset-password': renderResetPassword,
  '/cancel-email-change': renderCancelEmailChange,
  '/profile': renderProfile,
  '/sessions': renderSessions,
  '/api-keys': renderApiKeys,
  '/two-factor': renderTwoFactor,
  '/passkeys': renderPasskeys,
  '/organizations': renderOrganizations,
  '/accept-invitation': renderAcceptInvitation,
  '/export': renderExport,
  '/delete-account': renderDeleteAccount,
};

const links: [string, string][] = [
  ['/profile', 'Profile'],
  ['/sessions', 'Sessions'],
  ['/api-keys', 'API keys'],
  ['/two-factor', 'Two-factor'],
  ['/passkeys', 'Passkeys'],
  ['/organizations', 'Organizations'],
  ['/export', 'Export'],
  ['/delete-account', 'Delete account'],
  ['/sign-in', 'Sign in'],
  ['/sign-up', 'Sign up'],
];

function renderNav(nav: HTMLElement): void {
  const anchors = links.map(([path, label]) => link(path, label));
  const signOutButton = el('button', { type: 'button', textContent: 'Sign out' });
  signOutButton.addEventListener('click', () => signOut());
  nav.replaceChildren(...anchors, signOutButton);
}

async function render(): Promise<void> {
  const root = document.getElementById('screen')!;
  const screen = screens[location.pathname];
  if (!screen) {
    go('/profile');
    return;
  }
  root.replaceChildren();
  await screen(root);
}

renderNav(document.getElementById('nav')!);
window.addEventListener('popstate', () => void render());
void render();
