import { defineErrors } from '../../platform/errors/error-catalogue.js';

/** The errors of uploading an avatar image or pointing at an external one. */
export const AVATAR_ERRORS = defineErrors({
  IMAGE_TOO_LARGE: {
    status: 413,
    message: 'The <label> may not be greater than 5120 kilobytes.',
    when: 'The uploaded file is over 5 MB.',
  },
  IMAGE_LINE_FULL: {
    status: 503,
    message: 'Too many images are being processed. Please retry shortly.',
    when: 'The avatar line is full; `Retry-After` says when to retry.',
  },
  FORM_TOO_MANY_FIELDS: {
    status: 422,
    message: 'The request has more fields than this route accepts.',
    when: 'The form has more fields or parts than the route takes.',
    field: { name: 'file', rule: 'prohibited' },
  },
  FORM_FIELD_NAME_MISSING: {
    status: 422,
    message: 'Every part of the form needs a field name.',
    when: 'A part of the form has no field name.',
    field: { name: 'input', rule: 'required' },
  },
  FORM_FIELD_TOO_DEEP: {
    status: 422,
    message: 'The field is nested too deeply.',
    when: 'A form field name nests too many brackets.',
    field: { name: 'input', rule: 'max' },
  },
  FORM_FIELD_TOO_LONG: {
    status: 422,
    message: 'The field name or value is too long.',
    when: 'A form field’s name or value is over the limit.',
    field: { name: 'file', rule: 'max' },
  },
  URL_MALFORMED: {
    status: 422,
    message: 'The url format is invalid.',
    when: 'The external avatar `url` is not a URL.',
    field: { name: 'url', rule: 'url' },
  },
  URL_NOT_HTTP: {
    status: 422,
    message: 'The url must be an http or https URL.',
    when: 'The external avatar `url` is not an http or https URL, as written.',
    field: { name: 'url', rule: 'url' },
  },
  URL_WITH_CREDENTIALS: {
    status: 422,
    message: 'The url may not contain credentials.',
    when: 'The external avatar `url` holds a user name or password.',
    field: { name: 'url', rule: 'url' },
  },
});
