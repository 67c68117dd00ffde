import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

/**
 * The JSON forms of WebAuthn's browser objects (WebAuthn Level 3 `toJSON()`, and what `@simplewebauthn/browser`
 * sends), checked for shape and size here; @simplewebauthn/server verifies their content.
 */

/** Unpadded base64url, as `toJSON()` writes it (some clients pad: allowed). */
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/** A base64url string of at most `max` characters, documented as such (the plugin reads only literal decorators). */
const Base64Url = (max: number): PropertyDecorator =>
  applyDecorators(
    IsString(),
    MaxLength(max),
    Matches(BASE64URL, { message: '$property must be base64url-encoded.' }),
    ApiProperty({ type: 'string', maxLength: max, pattern: BASE64URL.source }),
  );
const RequiredBase64Url = (max: number): PropertyDecorator => applyDecorators(IsNotEmpty(), Base64Url(max));
const OptionalBase64Url = (max: number): PropertyDecorator => applyDecorators(IsOptional(), Base64Url(max), ApiProperty({ required: false }));
/** A credential ID is at most 1023 bytes (WebAuthn §5.8.3): 1364 base64url characters. */
export const CREDENTIAL_ID_MAX = 1366;
export const TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const;
const ATTACHMENTS = ['platform', 'cross-platform'] as const;

export class AuthenticatorAttestationResponseDto {
  /** @example "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoiLi4uIiwib3JpZ2luIjoiaHR0cHM6Ly9hcHAuZXhhbXBsZS5jb20ifQ" */
  @RequiredBase64Url(8192)
  clientDataJSON: string;

  /** CBOR attestation object. @example "o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YVjF" */
  @RequiredBase64Url(32768)
  attestationObject: string;

  /** @example "SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2NFAAAAAA" */
  @OptionalBase64Url(16384)
  authenticatorData?: string;

  /** @example ["internal", "hybrid"] */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(32, { each: true })
  transports?: string[];

  /** COSE algorithm of the new key. @example -7 */
  @IsOptional()
  @IsInt()
  @ApiProperty({ type: 'integer', required: false })
  publicKeyAlgorithm?: number;

  /** SubjectPublicKeyInfo of the new key. @example "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE" */
  @OptionalBase64Url(4096)
  publicKey?: string;
}

export class AuthenticatorAssertionResponseDto {
  /** @example "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0IiwiY2hhbGxlbmdlIjoiLi4uIiwib3JpZ2luIjoiaHR0cHM6Ly9hcHAuZXhhbXBsZS5jb20ifQ" */
  @RequiredBase64Url(8192)
  clientDataJSON: string;

  /** @example "SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAAAQ" */
  @RequiredBase64Url(16384)
  authenticatorData: string;

  /** @example "MEUCIQDv3Y0vBk0m5G2X5lH3" */
  @RequiredBase64Url(2048)
  signature: string;

  /** The user handle a discoverable passkey returns (null or absent otherwise). @example "3q2-7wAAQACAAAAAAAAAAA" */
  @ValidateIf((_dto: object, value: unknown) => value !== undefined && value !== null)
  @Base64Url(128)
  @ApiProperty({ nullable: true, required: false })
  userHandle?: string | null;
}

/** Fields every PublicKeyCredential JSON has. */
export abstract class PublicKeyCredentialJsonDto {
  /** The credential ID, base64url. @example "KEbWNCc7NgaYnUyrNeFGX9_3Y-8oJ3KwzjnaiD1d1LVTxR7v3CaKfCz2Vy_g_MHS" */
  @RequiredBase64Url(CREDENTIAL_ID_MAX)
  id: string;

  /** The same ID (WebAuthn sends both). @example "KEbWNCc7NgaYnUyrNeFGX9_3Y-8oJ3KwzjnaiD1d1LVTxR7v3CaKfCz2Vy_g_MHS" */
  @RequiredBase64Url(CREDENTIAL_ID_MAX)
  rawId: string;

  /** @example "public-key" */
  @IsIn(['public-key'])
  @ApiProperty({ enum: ['public-key'] })
  type: 'public-key';

  /** @example "platform" */
  @IsOptional()
  @IsIn(ATTACHMENTS)
  @ApiProperty({ enum: ATTACHMENTS, required: false })
  authenticatorAttachment?: 'platform' | 'cross-platform';

  /** Extension outputs (`getClientExtensionResults()`). */
  @IsObject()
  @ApiProperty({ type: 'object', additionalProperties: true, example: { credProps: { rk: true } } })
  clientExtensionResults: Record<string, unknown>;
}

/** `RegistrationResponseJSON`: what `startRegistration()` (or `credential.toJSON()`) gives after `navigator.credentials.create`. */
export class RegistrationResponseDto extends PublicKeyCredentialJsonDto {
  @IsObject()
  @ValidateNested()
  @Type(() => AuthenticatorAttestationResponseDto)
  response: AuthenticatorAttestationResponseDto;
}

/** `AuthenticationResponseJSON`: what `startAuthentication()` (or `credential.toJSON()`) gives after `navigator.credentials.get`. */
export class AuthenticationResponseDto extends PublicKeyCredentialJsonDto {
  @IsObject()
  @ValidateNested()
  @Type(() => AuthenticatorAssertionResponseDto)
  response: AuthenticatorAssertionResponseDto;
}

/* ---- Options the server answers (PublicKeyCredential*OptionsJSON, as @simplewebauthn/server generates them) ---- */

export class CredentialDescriptorDto {
  /** @example "KEbWNCc7NgaYnUyrNeFGX9_3Y-8oJ3KwzjnaiD1d1LVTxR7v3CaKfCz2Vy_g_MHS" */
  id: string;
  /** @example "public-key" */
  type: 'public-key';
  /** @example ["internal", "hybrid"] */
  transports?: string[];
}

export class RelyingPartyDto {
  /** WEBAUTHN_RP_NAME. @example "Tessera" */
  name: string;
  /** WEBAUTHN_RP_ID. @example "app.example.com" */
  id: string;
}

export class WebAuthnUserDto {
  /** The user handle: random per account, not personal data. @example "3q2-7wAAQACAAAAAAAAAAA" */
  id: string;
  /** @example "john.doe" */
  name: string;
  /** @example "John Doe" */
  displayName: string;
}

export class CredentialParameterDto {
  /** COSE algorithm: -7 ES256, -257 RS256. @example -7 */
  alg: number;
  /** @example "public-key" */
  type: 'public-key';
}

export class AuthenticatorSelectionDto {
  /** @example "preferred" */
  residentKey: string;
  /** @example "required" */
  userVerification: string;
  /** @example false */
  requireResidentKey: boolean;
}

export class RegistrationExtensionsDto {
  /** @example true */
  credProps: boolean;
}

/** `PublicKeyCredentialCreationOptionsJSON`: pass it to `startRegistration({ optionsJSON })`. */
export class CreationOptionsDto {
  /** @example "yj60m8hNY3mpLh2u4Jjx6L15fC8AoY02Ac2Yt6-lv2Q" */
  challenge: string;
  rp: RelyingPartyDto;
  user: WebAuthnUserDto;
  pubKeyCredParams: CredentialParameterDto[];
  /** Milliseconds: the challenge's life (5 minutes). @example 300000 */
  timeout: number;
  /** @example "none" */
  attestation: string;
  /** The user's passkeys, so an authenticator that holds one is not registered twice. */
  excludeCredentials: CredentialDescriptorDto[];
  authenticatorSelection: AuthenticatorSelectionDto;
  extensions: RegistrationExtensionsDto;
  /** @example [] */
  hints: string[];
}

/** `PublicKeyCredentialRequestOptionsJSON`: pass it to `startAuthentication({ optionsJSON })`. */
export class RequestOptionsDto {
  /** WEBAUTHN_RP_ID. @example "app.example.com" */
  rpId: string;
  /** @example "0Z0HrVQw2enk-xz8XAstZ0MCcKIQbp-bwwdR5L4egQs" */
  challenge: string;
  /** Empty: any passkey of this site the browser holds may answer (discoverable credentials). */
  allowCredentials: CredentialDescriptorDto[];
  /** Milliseconds: the challenge's life (5 minutes). @example 300000 */
  timeout: number;
  /** @example "required" */
  userVerification: string;
}
