import type { OrganizationPageMetaDto } from '../../dialects/open-badge/dto/organization.dto.js';
import type { OrganizationUrls } from '../../dialects/open-badge/organization.presenter.js';
import type { AppConfig } from '../../platform/config/app-config.js';

export const organizationUrlsOf = (config: AppConfig): OrganizationUrls => ({
  appUrl: config.appUrl,
  publicUrlTemplate: config.organizations.publicUrlTemplate,
});

/** `{current_page, per_page, total, last_page}` of one page. */
export function presentPageMeta(page: { page: number; perPage: number; total: number }): OrganizationPageMetaDto {
  return { current_page: page.page, per_page: page.perPage, total: page.total, last_page: Math.max(1, Math.ceil(page.total / page.perPage)) };
}
