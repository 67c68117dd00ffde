import { encode } from 'cborg';
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/**
 * A software WebAuthn authenticator for e2e tests: its own P-256 keys from node:crypto, `none` attestation, CBOR
 * through cborg. It answers the JSON options the API gives with the JSON a browser would send back
 * (RegistrationResponseJSON, AuthenticationResponseJSON), so the server side is exercised as a browser would.
 */

interface CreationOptions {
  challenge: string;
  rp: { id: string };
  user: { id: string };
}

interface RequestOptions {
  challenge: string;
  rpId: string;
  allowCredentials: { id: string }[];
}

interface StoredCredential {
  id: string;
  privateKey: KeyObject;
  rpId: string;
  userHandle: string;
  counter: number;
}

export interface RegistrationResponse {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; attestationObject: string; transports: string[] };
  clientExtensionResults: Record<string, unknown>;
  authenticatorAttachment: 'platform';
}

export interface AuthenticationResponse {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; authenticatorData: string; signature: string; userHandle: string };
  clientExtensionResults: Record<string, unknown>;
  authenticatorAttachment: 'platform';
}

export interface CeremonyOverrides {
  /** The origin written into the client data (a phishing page's, say). */
  origin?: string;
  /** Sign with this credential, whatever the options allow (registration: create one with this ID). */
  credentialId?: string;
  /** Report this signature counter instead of the next one (a cloned authenticator). */
  counter?: number;
}

const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;
const FLAG_ATTESTED_DATA = 0x40;

const sha256 = (data: Buffer | string): Buffer => createHash('sha256').update(data).digest();
const b64url = (data: Buffer | Uint8Array): string => Buffer.from(data).toString('base64url');

function counterBytes(counter: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(counter);
  return bytes;
}

/** The COSE_Key (RFC 9053) of a P-256 public key: kty EC2, alg ES256, crv P-256, x, y. */
function coseKeyOf(publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  return encode(
    new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]),
  );
}

export class SoftwareAuthenticator {
  private readonly credentials = new Map<string, StoredCredential>();

  /** @param origin what the "browser" puts into the client data, unless a ceremony overrides it */
  constructor(private readonly origin: string) {}

  get credentialIds(): string[] {
    return [...this.credentials.keys()];
  }

  /** `navigator.credentials.create`: a new resident P-256 credential for the options' RP and user. */
  create(options: CreationOptions, overrides: CeremonyOverrides = {}): RegistrationResponse {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credentialId = overrides.credentialId === undefined ? randomBytes(32) : Buffer.from(overrides.credentialId, 'base64url');
    const id = b64url(credentialId);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const authData = Buffer.concat([
      sha256(options.rp.id),
      Buffer.from([FLAG_USER_PRESENT | FLAG_USER_VERIFIED | FLAG_ATTESTED_DATA]),
      counterBytes(0),
      Buffer.alloc(16), // AAGUID: none
      idLength,
      credentialId,
      Buffer.from(coseKeyOf(publicKey)),
    ]);
    const clientDataJSON = JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin: overrides.origin ?? this.origin, crossOrigin: false });
    this.credentials.set(id, { id, privateKey, rpId: options.rp.id, userHandle: options.user.id, counter: 0 });
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(Buffer.from(clientDataJSON)),
        attestationObject: b64url(encode({ fmt: 'none', attStmt: {}, authData: new Uint8Array(authData) })),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** `navigator.credentials.get`: an assertion by an allowed credential (any held one when none are listed). */
  get(options: RequestOptions, overrides: CeremonyOverrides = {}): AuthenticationResponse {
    const allowed = options.allowCredentials.map((descriptor) => descriptor.id);
    const id = overrides.credentialId ?? (allowed.length > 0 ? allowed.find((candidate) => this.credentials.has(candidate)) : this.credentialIds[0]);
    const credential = id === undefined ? undefined : this.credentials.get(id);
    if (!credential) throw new Error('the authenticator holds no credential these options allow');
    const counter = overrides.counter ?? credential.counter + 1;
    if (overrides.counter === undefined) credential.counter = counter;
    const authData = Buffer.concat([sha256(options.rpId), Buffer.from([FLAG_USER_PRESENT | FLAG_USER_VERIFIED]), counterBytes(counter)]);
    const clientDataJSON = Buffer.from(
      JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin: overrides.origin ?? this.origin, crossOrigin: false }),
    );
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** Copies a credential into another authenticator (a clone shares the key but not the counter). */
  cloneInto(other: SoftwareAuthenticator, credentialId: string): void {
    const credential = this.credentials.get(credentialId);
    if (!credential) throw new Error('no such credential');
    other.credentials.set(credentialId, { ...credential });
  }
}
