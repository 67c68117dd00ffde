/** Field rules shared by every DTO that accepts them (docs/api/README.md#account-fields, issue 5). */
export const USERNAME_PATTERN = /^[A-Za-z0-9._-]{3,50}$/;
export const USERNAME_MESSAGE = 'The username may only contain letters, digits, dots, underscores and dashes (3 to 50).';
export const EMAIL_MAX = 191;
export const NAME_MAX = 100;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 1024;
