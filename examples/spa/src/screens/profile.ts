/** The profile: who is signed in, the details they can edit, and their picture (uploaded as multipart). */
import { api } from '../api';
import { el, field, form, messageArea, showError, showNotice, values } from '../ui';

type User = NonNullable<Awaited<ReturnType<typeof loadUser>>>;

async function loadUser(messages: HTMLElement) {
  const { data, error, response } = await api.GET('/api/me');
  if (!data) {
    showError(messages, response, error);
    return undefined;
  }
  return data.data;
}

export async function renderProfile(root: HTMLElement): Promise<void> {
  const messages = messageArea();
  root.append(el('h1', { textContent: 'Profile' }), messages);
  const user = await loadUser(messages);
  if (!user) return;

  const summary = el('section', { className: 'summary' });
  const showSummary = (shown: User) => {
    summary.replaceChildren(
      el('img', { className: 'avatar', src: shown.avatar, alt: 'Profile picture' }),
      el('p', {}, el('strong', { textContent: shown.username }), ` · ${shown.email} · `, el('span', { className: 'status', textContent: shown.status })),
    );
    if (shown.status === 'Unconfirmed') summary.append(resendLink(messages));
  };
  showSummary(user);

  const details = form(
    async (element) => {
      const { first_name = null, last_name = null, phone = null, address = null } = values(element);
      const { data, error, response } = await api.PATCH('/api/me/details', { body: { first_name, last_name, phone, address } });
      if (!data) return showError(messages, response, error);
      showSummary(data.data);
      showNotice(messages, 'Your details are saved.');
    },
    'Save details',
    field('First name', 'first_name', { value: user.first_name ?? '', autocomplete: 'given-name' }),
    field('Last name', 'last_name', { value: user.last_name ?? '', autocomplete: 'family-name' }),
    field('Phone', 'phone', { value: user.phone ?? '', type: 'tel', autocomplete: 'tel' }),
    field('Address', 'address', { value: user.address ?? '', autocomplete: 'street-address' }),
  );

  const avatar = form(
    async (element) => {
      const file = (element.elements.namedItem('file') as HTMLInputElement).files?.[0];
      if (!file) return;
      const { data, error, response } = await api.POST('/api/me/avatar', {
        body: { file },
        bodySerializer: (body) => {
          const multipart = new FormData();
          multipart.append('file', body.file);
          return multipart;
        },
      });
      if (!data) return showError(messages, response, error);
      element.reset();
      showSummary(data.data);
      showNotice(messages, 'Your picture is saved.');
    },
    'Upload picture',
    field('Picture (JPEG, PNG, WebP or GIF, at most 5 MB)', 'file', { type: 'file', accept: 'image/jpeg,image/png,image/webp,image/gif', required: true }),
  );

  root.append(summary, el('h2', { textContent: 'Details' }), details, el('h2', { textContent: 'Picture' }), avatar);
}

/** For an unverified address: sends the verification link again. */
function resendLink(messages: HTMLElement): HTMLElement {
  const button = el('button', { type: 'button', textContent: 'Send the verification link again' });
  button.addEventListener('click', async () => {
    const { data, error, response } = await api.POST('/api/email/resend');
    if (!data) return showError(messages, response, error);
    showNotice(messages, 'The link is on its way.');
  });
  return el('p', {}, 'Your address is not verified yet. ', button);
}
