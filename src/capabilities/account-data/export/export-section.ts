import { isoOf, type Instant } from '../../../platform/format/dates.js';
import type { UserProfile } from '../../../core/users/user-profile.js';

/** The account being exported, loaded once (role and country included) and handed to every section. */
export interface ExportSubject {
  profile: UserProfile;
}

/**
 * One top-level key of the export document. `write` gives the section's JSON value, or, for lists that grow
 * without bound (the activity log), its items page by page: the document streams them as one array, so memory
 * stays bounded by a page. A section selects columns by name: a secret, hash or code never reaches it.
 * Adding data to the export is adding a section to EXPORT_SECTIONS (account-data.module.ts).
 */
export interface ExportSection {
  readonly key: string;
  write(subject: ExportSubject): Promise<unknown> | AsyncIterable<unknown[]>;
}

/** The sections, in document order. */
export const EXPORT_SECTIONS = Symbol('EXPORT_SECTIONS');

/** Timestamps of the export: ISO 8601 in UTC, or null. */
export const isoOrNull = (instant: Instant | null | undefined): string | null => (instant ? isoOf(instant) : null);
