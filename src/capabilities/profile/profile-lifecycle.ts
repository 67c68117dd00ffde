import { Injectable } from '@nestjs/common';
import { isoOrNull, type ExportSection, type ExportSubject, type LifecycleParticipant } from '../../core/lifecycle/account-lifecycle.js';

/** The profile and settings in the account's life: columns of the user row, which deletion removes last. */
@Injectable()
export class ProfileLifecycle implements LifecycleParticipant {
  readonly name = 'profile';
  readonly tables = [];
  // First in the document.
  readonly exportSections: ExportSection[] = [
    { key: 'profile', order: 10, write: (subject) => this.exportProfile(subject) },
    { key: 'settings', order: 20, write: (subject) => this.exportSettings(subject) },
  ];

  /** Every profile field Tessera stores, in full (the password hash is never loaded). */
  private async exportProfile({ profile: { user } }: ExportSubject) {
    return {
      id: user.id,
      uuid: user.uuid,
      username: user.username,
      email: user.email,
      email_verified_at: isoOrNull(user.emailVerifiedAt),
      first_name: user.firstName,
      last_name: user.lastName,
      phone: user.phone,
      address: user.address,
      country: user.country ? { id: user.country.id, name: user.country.name } : null,
      birthday: user.birthday,
      role: user.role ? { slug: user.role.slug, name: user.role.name } : null,
      status: user.status,
      language: user.language,
      terms_accepted_at: isoOrNull(user.termsAcceptedAt),
      last_login: isoOrNull(user.lastLogin),
      created_at: isoOrNull(user.createdAt),
      updated_at: isoOrNull(user.updatedAt),
    };
  }

  private async exportSettings({ profile: { user } }: ExportSubject) {
    return { public_profile: user.publicProfile, public_badges: user.publicBadges, language: user.language };
  }
}
