import { Injectable } from '@nestjs/common';
import { MAIL_CHANNEL } from '../../platform/mail/mail.service.js';
import { OutboxService, type OutboxRow } from '../../platform/outbox/outbox.service.js';
import type { AdminMailQueryDto } from './dto/admin-user.dto.js';
import type { Page } from './pagination.presenter.js';

const DEFAULT_PER_PAGE = 15;

@Injectable()
export class AdminMailService {
  constructor(private readonly outbox: OutboxService) {}

  async list(query: AdminMailQueryDto): Promise<Page<OutboxRow>> {
    const page = query.page ?? 1;
    const perPage = query.per_page ?? DEFAULT_PER_PAGE;
    const { rows, total } = await this.outbox.list(MAIL_CHANNEL, query.status ?? 'failed', page, perPage);
    return { items: rows, total, page, perPage };
  }
}
