import { randomBytes } from 'node:crypto';
import speakeasy from 'speakeasy';
import { base32, sameString } from './two-factor-crypto.js';

export const TOTP_ISSUER = 'Tessera';
export const TOTP_STEP_SECONDS = 30;
/** Steps accepted either side of the current one (clock drift). */
export const TOTP_WINDOW = 1;
const SECRET_BYTES = 20;

/** 20 random bytes in base32 (32 characters). */
export function newTotpSecret(): string {
  return base32(randomBytes(SECRET_BYTES));
}

/** The Key URI an authenticator app reads (`otpauth://totp/Tessera:<email>?secret=…&issuer=Tessera`). */
export function otpauthUrl(email: string, secret: string): string {
  const issuer = encodeURIComponent(TOTP_ISSUER);
  return `otpauth://totp/${issuer}:${encodeURIComponent(email)}?secret=${secret}&issuer=${issuer}&algorithm=SHA1&digits=6&period=${TOTP_STEP_SECONDS}`;
}

/** The same URL as an SVG QR code in a data URL, for clients that would rather not draw one. */
export async function qrCodeDataUrl(text: string): Promise<string> {
  // Imported when a QR code is first drawn (setting up TOTP), not at start-up, to keep resident memory down.
  const { default: QRCode } = await import('qrcode');
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

export function totpStepAt(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_STEP_SECONDS);
}

/**
 * The time step a 6-digit code belongs to within the window, or null. Every candidate is computed and compared
 * in constant time; the latest matching step wins, so replay protection (step > last used) stays strict.
 */
export function matchTotpStep(secret: string, code: string, now: Date = new Date()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const current = totpStepAt(now);
  let matched: number | null = null;
  for (let step = current - TOTP_WINDOW; step <= current + TOTP_WINDOW; step++) {
    const expected = speakeasy.hotp({ secret, encoding: 'base32', counter: step, digits: 6 });
    if (sameString(expected, code)) matched = step;
  }
  return matched;
}
