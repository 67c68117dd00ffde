/**
 * What every screen shares: building elements (always through properties and text, never from HTML strings, so
 * data from the API cannot inject markup), reading forms, moving between screens and showing the API's refusals.
 */

export type Child = Node | string | null | undefined | false;

/** `<tag>` with the given properties and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  properties: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = Object.assign(document.createElement(tag), properties);
  for (const child of children) if (child) element.append(child);
  return element;
}

/** A labelled input named `name`. */
export function field(label: string, name: string, properties: Partial<HTMLInputElement> = {}): HTMLLabelElement {
  return el('label', {}, label, el('input', { name, type: 'text', ...properties }));
}

/** The non-empty text values of a form, by input name. */
export function values(form: HTMLFormElement): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of new FormData(form)) {
    if (typeof value === 'string' && value !== '') result[name] = value;
  }
  return result;
}

/** A form whose submit runs `onSubmit` (the page does not reload); its button is disabled meanwhile. */
export function form(onSubmit: (form: HTMLFormElement) => Promise<void>, submitLabel: string, ...children: Child[]): HTMLFormElement {
  const element = el('form', {}, ...children, el('button', { type: 'submit', textContent: submitLabel }));
  element.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = element.querySelector('button[type=submit]') as HTMLButtonElement;
    button.disabled = true;
    try {
      await onSubmit(element);
    } finally {
      button.disabled = false;
    }
  });
  return element;
}

/**
 * The query of a mailed link (`?token=…`), removed from the address bar before anything else happens: the token then
 * stays out of the history and of anything that reads the address later.
 */
export function takeLinkParameters(): URLSearchParams {
  const parameters = new URLSearchParams(location.search);
  history.replaceState(null, '', location.pathname);
  return parameters;
}

/** A link to another screen of the SPA (opened without reloading the page). */
export function link(path: string, label: string): HTMLAnchorElement {
  const anchor = el('a', { href: path, textContent: label });
  anchor.addEventListener('click', (event) => {
    event.preventDefault();
    go(path);
  });
  return anchor;
}

let notice = '';

/** Opens the screen at `path`, with an optional notice shown on it once. */
export function go(path: string, message = ''): void {
  notice = message;
  history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** The notice left by the last `go`, once. */
export function takeNotice(): string {
  const message = notice;
  notice = '';
  return message;
}

/** Tessera's two error shapes: `{message, errors: {field: [..]}}` and the client family's `{errors: [{detail}]}`. */
interface ApiError {
  message?: string;
  errors?: Record<string, string[]> | { detail: string }[];
}

/** The readable text of a refusal. */
export function errorText(error: unknown): string {
  const body = (error ?? {}) as ApiError;
  if (Array.isArray(body.errors)) return body.errors.map((item) => item.detail).join(' ');
  const details = body.errors ? Object.values(body.errors).flat() : [];
  return details.length > 0 ? details.join(' ') : (body.message ?? 'Something went wrong.');
}

/**
 * Shows a refusal in `target`. A 401 means the session is gone (signed out, revoked or expired): the sign-in
 * screen opens instead.
 */
export function showError(target: HTMLElement, response: Response, error: unknown): void {
  if (response.status === 401) {
    go('/sign-in', 'Please sign in.');
    return;
  }
  target.replaceChildren(el('p', { className: 'error', role: 'alert', textContent: errorText(error) }));
}

/** A paragraph for messages, and a notice left by the previous screen. */
export function messageArea(): HTMLDivElement {
  const area = el('div', { className: 'messages' });
  const message = takeNotice();
  if (message) area.append(el('p', { className: 'notice', role: 'status', textContent: message }));
  return area;
}

/** Replaces `target`'s content with a success message. */
export function showNotice(target: HTMLElement, message: string): void {
  target.replaceChildren(el('p', { className: 'notice', role: 'status', textContent: message }));
}
