import sanitizeHtml from 'sanitize-html';

/**
 * The description's allow-list (docs/api/organizations.md#description): formatting and links only. Everything else
 * is removed by sanitize-html, a parser-based sanitizer (htmlparser2), never by patterns: script and style elements
 * with their content, every attribute but a link's href (so no event handlers, no style), and links whose scheme is
 * not http, https or mailto (`javascript:`, `data:`, protocol-relative `//host`).
 */
const DESCRIPTION_POLICY: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'em', 'strong', 'u', 'a', 'ul', 'ol', 'li', 'h2', 'h3', 'h4', 'blockquote'],
  allowedAttributes: { a: ['href'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  allowedStyles: {},
  allowVulnerableTags: false,
  // Unknown elements go but keep their text; these go with their content.
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'svg', 'math', 'template', 'title', 'head'],
};

/** The description as stored: sanitised; null for nothing left (an empty string or only removed markup). */
export function sanitizeDescription(html: string | null | undefined): string | null {
  if (html === null || html === undefined) return null;
  const clean = sanitizeHtml(html, DESCRIPTION_POLICY).trim();
  return clean === '' ? null : clean;
}
