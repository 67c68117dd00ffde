/**
 * The catalogue of events Tessera sends to webhook endpoints (docs/guides/webhooks.md). Each type names the schema of
 * its `data`; the schemas are JSON Schema objects that the OpenAPI document publishes in its components (and lists
 * under `x-webhooks`), so the generated client exports each payload's type.
 *
 * `data` carries ids and, for `*.updated` and `*_changed` events, the changed fields' new values where they are not
 * secret: never a password, token, code, key, secret or hash.
 */

interface SchemaObject {
  type?: string;
  description?: string;
  format?: string;
  enum?: string[];
  const?: string;
  example?: unknown;
  properties?: Record<string, SchemaObject | { $ref: string }>;
  required?: string[];
  additionalProperties?: boolean | SchemaObject;
  nullable?: boolean;
}

const USER_ID: SchemaObject = { type: 'integer', description: 'The user the event is about.', example: 42 };
const USER_UUID: SchemaObject = { type: 'string', format: 'uuid', description: "The user's UUID.", example: '0b5c2f3e-8d6a-4b8e-9a53-2f1c7e0d9a11' };
const ORGANIZATION_ID: SchemaObject = {
  type: 'string',
  format: 'uuid',
  description: "The organization the event is about (its `id`, a UUID, as the organization routes show it).",
  example: '5f0c6f2e-3b7a-4c1d-9e8f-2a6b4d1c7e90',
};
const CHANGES: SchemaObject = {
  type: 'object',
  description: "The changed fields' new values; a secret field (the password) is named with `null` as its value.",
  additionalProperties: true,
  example: { first_name: 'Ada' },
};

const userData = (extra: Record<string, SchemaObject> = {}, description = 'The user.'): SchemaObject => ({
  type: 'object',
  description,
  properties: { user_id: USER_ID, user_uuid: USER_UUID, ...extra },
  required: ['user_id', 'user_uuid', ...Object.keys(extra)],
  additionalProperties: false,
});
const organizationData = (extra: Record<string, SchemaObject> = {}, description = 'The organization.'): SchemaObject => ({
  type: 'object',
  description,
  properties: { organization_id: ORGANIZATION_ID, user_id: USER_ID, user_uuid: USER_UUID, ...extra },
  required: ['organization_id', 'user_id', 'user_uuid', ...Object.keys(extra)],
  additionalProperties: false,
});

/** The payload schemas (`data`), by component name. */
export const EVENT_DATA_SCHEMAS = {
  WebhookUserEventData: userData(),
  WebhookUserChangeEventData: userData({ changes: CHANGES }, 'The user and what changed.'),
  WebhookTwoFactorEventData: userData({ method: { type: 'string', enum: ['totp', 'sms'], description: 'The two-factor method.', example: 'totp' } }),
  WebhookPasskeyEventData: userData({ passkey_id: { type: 'integer', description: "The passkey's id.", example: 3 } }),
  WebhookIdentityEventData: userData({
    provider: { type: 'string', description: "The identity provider's id.", example: 'google' },
    identity_id: { type: 'string', description: "The linked identity's id.", example: '12' },
  }),
  WebhookSessionEventData: userData({ session_id: { type: 'string', description: "The session's id.", example: '5d7a3c1e-2b4f-4e6a-8c9d-0a1b2c3d4e5f' } }),
  WebhookApiKeyEventData: userData({ api_key_identifier: { type: 'string', description: "The key's public identifier.", example: 'ptlc_Ab3dE5gH7jK' } }),
  WebhookOrganizationEventData: organizationData({}, 'The organization and the user who acted.'),
  WebhookOrganizationChangeEventData: organizationData({ changes: CHANGES }, 'The organization, the user who acted and what changed.'),
  WebhookMembershipEventData: organizationData(
    { role: { type: 'string', enum: ['owner', 'admin', 'member'], description: "The member's role.", example: 'member' } },
    'The organization and the member (`user_id`, `user_uuid`).',
  ),
  WebhookInvitationEventData: organizationData(
    { invitation_id: { type: 'string', format: 'uuid', description: "The invitation's id.", example: '3c9d2b7a-6e41-4f08-8a5d-1b2c3d4e5f60' } },
    'The organization, the invitation and the user who invited or accepted.',
  ),
  WebhookTestEventData: {
    type: 'object',
    description: 'A test sent by an administrator.',
    properties: { webhook_id: { type: 'string', format: 'uuid', description: 'The endpoint tested.', example: '3c8f6a0e-5d2b-4f7e-9a1c-8b6d4e2f0a13' } },
    required: ['webhook_id'],
    additionalProperties: false,
  },
} satisfies Record<string, SchemaObject>;

type DataSchemaName = keyof typeof EVENT_DATA_SCHEMAS;

/** Every event type: its payload schema and what it means. */
export const EVENT_CATALOGUE = {
  'user.created': { data: 'WebhookUserEventData', summary: 'An account was created (registration, an admin, the first admin).' },
  'user.updated': { data: 'WebhookUserChangeEventData', summary: "An account's profile fields changed (by its owner or an admin)." },
  'user.deleted': { data: 'WebhookUserEventData', summary: 'An account was deleted (by its owner or an admin).' },
  'user.banned': { data: 'WebhookUserEventData', summary: 'An admin banned the account.' },
  'user.email_changed': { data: 'WebhookUserChangeEventData', summary: "The account's address of record changed; `changes.email` is the new one." },
  'user.password_changed': { data: 'WebhookUserChangeEventData', summary: 'The password changed (changed, reset, or set by an admin); `changes.password` is null.' },
  'user.two_factor_enabled': { data: 'WebhookTwoFactorEventData', summary: 'Two-factor authentication was turned on.' },
  'user.two_factor_disabled': { data: 'WebhookTwoFactorEventData', summary: 'Two-factor authentication was turned off (by the owner, an admin or a recovery).' },
  'user.passkey_added': { data: 'WebhookPasskeyEventData', summary: 'A passkey was added.' },
  'user.passkey_removed': { data: 'WebhookPasskeyEventData', summary: 'A passkey was removed (by the owner, an admin or a recovery).' },
  'user.identity_linked': { data: 'WebhookIdentityEventData', summary: 'An identity-provider account was linked.' },
  'user.identity_unlinked': { data: 'WebhookIdentityEventData', summary: 'An identity-provider account was unlinked.' },
  'session.created': { data: 'WebhookSessionEventData', summary: 'A session opened (a sign-in of any kind).' },
  'session.revoked': { data: 'WebhookSessionEventData', summary: 'A session was revoked (sign-out, by the owner, an admin, or a recovery).' },
  'api_key.created': { data: 'WebhookApiKeyEventData', summary: 'A personal API key was created.' },
  'api_key.revoked': { data: 'WebhookApiKeyEventData', summary: 'A personal API key was deleted or revoked.' },
  'organization.created': { data: 'WebhookOrganizationEventData', summary: 'An organization was created.' },
  'organization.updated': { data: 'WebhookOrganizationChangeEventData', summary: "An organization's fields changed." },
  'organization.deleted': { data: 'WebhookOrganizationEventData', summary: 'An organization was deleted.' },
  'organization.member_added': { data: 'WebhookMembershipEventData', summary: 'A user joined an organization.' },
  'organization.member_role_changed': { data: 'WebhookMembershipEventData', summary: "A member's role changed; `role` is the new one." },
  'organization.member_removed': { data: 'WebhookMembershipEventData', summary: 'A member left or was removed.' },
  'organization.invitation_created': { data: 'WebhookInvitationEventData', summary: 'An invitation to an organization was sent.' },
  'organization.invitation_accepted': { data: 'WebhookInvitationEventData', summary: 'An invitation was accepted.' },
  'webhook.test': { data: 'WebhookTestEventData', summary: 'A test event an administrator sent to one endpoint; never sent otherwise.' },
} as const satisfies Record<string, { data: DataSchemaName; summary: string }>;

export type EventType = keyof typeof EVENT_CATALOGUE;
/** The types an endpoint may subscribe to: every one but the test, which goes only where an admin sends it. */
export const SUBSCRIBABLE_EVENT_TYPES = (Object.keys(EVENT_CATALOGUE) as EventType[]).filter((type) => type !== 'webhook.test');

interface UserData {
  user_id: number;
  user_uuid: string;
}
interface OrganizationData extends UserData {
  organization_id: string;
}
type Changes = Record<string, unknown>;

/** Each data schema as a TypeScript type (kept beside the JSON schemas above). */
interface DataBySchema {
  WebhookUserEventData: UserData;
  WebhookUserChangeEventData: UserData & { changes: Changes };
  WebhookTwoFactorEventData: UserData & { method: 'totp' | 'sms' };
  WebhookPasskeyEventData: UserData & { passkey_id: number };
  WebhookIdentityEventData: UserData & { provider: string; identity_id: string };
  WebhookSessionEventData: UserData & { session_id: string };
  WebhookApiKeyEventData: UserData & { api_key_identifier: string };
  WebhookOrganizationEventData: OrganizationData;
  WebhookOrganizationChangeEventData: OrganizationData & { changes: Changes };
  WebhookMembershipEventData: OrganizationData & { role: 'owner' | 'admin' | 'member' };
  WebhookInvitationEventData: OrganizationData & { invitation_id: string };
  WebhookTestEventData: { webhook_id: string };
}

export type EventData<T extends EventType> = DataBySchema[(typeof EVENT_CATALOGUE)[T]['data']];

/** The event types about one user (their data carries `user_id` and `user_uuid`). */
export type UserEventType = { [T in EventType]: EventData<T> extends UserData ? T : never }[EventType];

/** The body of every delivery. */
export interface EventEnvelope<T extends EventType = EventType> {
  type: T;
  /** ISO 8601 UTC, when the change happened. */
  timestamp: string;
  data: EventData<T>;
}

/** The ids every user event carries. */
export function userRef(user: { id: number; uuid: string }): UserData {
  return { user_id: user.id, user_uuid: user.uuid };
}
