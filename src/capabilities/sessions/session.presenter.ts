import { UAParser } from 'ua-parser-js';
import { formatDateTime } from '../../platform/format/dates.js';
import type { SessionDto } from './dto/session.dto.js';
import type { Session } from '../../core/credentials/sessions/session.entity.js';

/** Platform names as Vanguard shows them. */
const PLATFORM_NAMES: Record<string, string> = { 'Mac OS': 'OS X', macOS: 'OS X' };

export function describeUserAgent(userAgent: string): { browser: string; platform: string; device: string } {
  const parsed = new UAParser(userAgent).getResult();
  const os = parsed.os.name ?? '';
  const device = parsed.device.model ?? (os === 'Mac OS' || os === 'macOS' ? 'Macintosh' : parsed.device.vendor) ?? '';
  return {
    browser: parsed.browser.name ?? 'Unknown',
    platform: PLATFORM_NAMES[os] ?? (os || 'Unknown'),
    device: device || 'Unknown',
  };
}

export function presentSession(session: Session): SessionDto {
  return {
    id: session.id,
    user_id: session.userId,
    ip_address: session.ipAddress,
    user_agent: session.userAgent,
    ...describeUserAgent(session.userAgent),
    last_activity: formatDateTime(session.lastActivity),
  };
}
