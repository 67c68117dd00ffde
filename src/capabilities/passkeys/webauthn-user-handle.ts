/**
 * The WebAuthn user handle of an account: the 16 bytes of its UUID. Not personal data (WebAuthn §14.6.1 asks for
 * that), stable, so a discoverable passkey's handle names its account.
 */
export function userHandleOf(uuid: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(uuid.replace(/-/g, ''), 'hex'));
}

export function userHandleBase64Url(uuid: string): string {
  return Buffer.from(userHandleOf(uuid)).toString('base64url');
}
